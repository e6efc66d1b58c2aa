import { PayloadUpcastRefused } from '@jobkit/contract';
import { describe, expect, it } from 'vitest';
import { webhookDelivery } from '../src/delivery-contract.ts';

describe('the webhook delivery of version 1', () => {
  it('fails with a reason its owner can act on: a bare URL has no endpoint to sign for', () => {
    const v1 = { url: 'https://hooks.example.com/jobs', jobId: '01a20d87-e8be-72e6-8cfa-d7f1ef658a44', kind: 'documentAnalysis', status: 'completed' };
    const refused = (() => {
      try {
        webhookDelivery.upcastInput(1, v1);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    if (!(refused instanceof PayloadUpcastRefused)) throw new Error(`expected a refusal, got ${String(refused)}`);
    expect(refused.code).toBe('WEBHOOK_ENDPOINT_REQUIRED');
    expect(refused.message).toMatch(/^This delivery to hooks\.example\.com was queued before/);
    expect(webhookDelivery.readableVersions).toEqual([1, 2]);
  });
});
