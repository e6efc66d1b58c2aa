import { runHandler } from '@jobkit/worker/testing';
import { JobFailure } from '@jobkit/worker';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEmailNotificationHandler } from '../src/handler.ts';
import { finishMessage } from '../src/message.ts';

describe('the message', () => {
  const jobId = '01900000-0000-7000-8000-000000000001';

  it('names the kind and how the job ended, and links to its page under the public URL', () => {
    expect(finishMessage({ jobId, status: 'completed' }, 'Document analysis', new URL('https://jobs.example.com/'))).toMatchObject({
      subject: 'Document analysis completed',
      link: `https://jobs.example.com/jobs/${jobId}`,
    });
    const failed = finishMessage({ jobId, status: 'failed' }, 'Dataset analysis', new URL('https://example.com/jobkit/'));
    expect(failed.subject).toBe('Dataset analysis failed');
    expect(failed.text).toContain(`Open it: https://example.com/jobkit/jobs/${jobId}`);
    expect(finishMessage({ jobId, status: 'cancelled' }, 'Personal data scan', new URL('https://example.com/')).text).toMatch(
      /^Your job "Personal data scan" was cancelled\./,
    );
  });
});

describe('the handler', () => {
  it('fails an attempt, to be retried, on a worker without mail settings', async () => {
    const handler = createEmailNotificationHandler({ titleOf: () => 'Quick job', settings: () => null });
    const input = { jobId: randomUUID(), kind: 'quickJob', status: 'completed' as const, to: 'someone@example.com' };
    const refusal = await runHandler(handler, input).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(JobFailure);
    expect(refusal).toMatchObject({ code: 'EMAIL_NOT_CONFIGURED', retryable: true });
  });
});
