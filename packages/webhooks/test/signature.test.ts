import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/index.ts';
import { generateWebhookSecret, signWebhook } from '../src/signature.ts';

const secret = generateWebhookSecret();
const body = '{"type":"job.finished"}';
const signed = signWebhook([secret], { id: 'msg_1', timestamp: new Date(), body });

describe('signWebhook', () => {
  it('signs as the standardwebhooks library verifies, one signature per secret', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(new Webhook(secret).verify(body, signed)).toEqual({ type: 'job.finished' });
    const other = generateWebhookSecret();
    const both = signWebhook([secret, other], { id: 'msg_1', timestamp: new Date(), body });
    expect(both['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(new Webhook(other).verify(body, both)).toEqual({ type: 'job.finished' });
  });
});

describe('verifyWebhook never throws', () => {
  it('accepts a good message, with the headers in any case, as Node gives them', () => {
    expect(verifyWebhook(secret, signed, body)).toEqual({ ok: true });
    expect(verifyWebhook(secret, { 'Webhook-Id': signed['webhook-id'], 'WEBHOOK-TIMESTAMP': signed['webhook-timestamp'], 'webhook-signature': signed['webhook-signature'] }, body)).toEqual({ ok: true });
  });

  it.each([
    ['a signature with non-ASCII characters', { ...signed, 'webhook-signature': `v1,${'é'.repeat(44)}` }, 'signature-mismatch'],
    ['a signature of another length', { ...signed, 'webhook-signature': 'v1,AAAA' }, 'signature-mismatch'],
    ['garbage', { ...signed, 'webhook-signature': '\u0000,,, v2 💥' }, 'signature-mismatch'],
    ['a missing header', { 'webhook-id': 'msg_1', 'webhook-timestamp': signed['webhook-timestamp'] }, 'missing-headers'],
    ['a repeated header', { ...signed, 'webhook-signature': [signed['webhook-signature'], 'v1,x'] }, 'missing-headers'],
    ['a timestamp that is not a number', { ...signed, 'webhook-timestamp': '12abc' }, 'malformed-timestamp'],
    ['a timestamp of ten minutes ago', signWebhook([secret], { id: 'msg_1', timestamp: new Date(Date.now() - 600_000), body }), 'stale-timestamp'],
    ['a timestamp ten minutes ahead', signWebhook([secret], { id: 'msg_1', timestamp: new Date(Date.now() + 600_000), body }), 'stale-timestamp'],
  ])('refuses %s', (_what, headers, reason) => {
    expect(verifyWebhook(secret, headers, body)).toEqual({ ok: false, reason });
  });

  it('refuses the wrong secret, a tampered body or id, and a secret that is not one', () => {
    expect(verifyWebhook(generateWebhookSecret(), signed, body)).toEqual({ ok: false, reason: 'signature-mismatch' });
    expect(verifyWebhook(secret, signed, '{"type":"job.forged"}')).toEqual({ ok: false, reason: 'signature-mismatch' });
    expect(verifyWebhook(secret, { ...signed, 'webhook-id': 'msg_2' }, body)).toEqual({ ok: false, reason: 'signature-mismatch' });
    expect(verifyWebhook('whsec_!!!not base64!!!', signed, body)).toEqual({ ok: false, reason: 'invalid-secret' });
    expect(verifyWebhook('', signed, body)).toEqual({ ok: false, reason: 'invalid-secret' });
  });
});
