import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Webhooks signed per the Standard Webhooks specification (standardwebhooks.com), so receivers
 * can check them with its published libraries: `webhook-signature` is `v1,<base64 HMAC-SHA256 of
 * "<webhook-id>.<webhook-timestamp>.<body>">`, one per secret, space-separated.
 */
export type WebhookHeaders = {
  /** The same on every retry of one message, so receivers can drop duplicates. */
  'webhook-id': string;
  /** Unix seconds; receivers refuse messages more than 5 minutes off, which stops replays. */
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** A new endpoint secret in the specification's form: `whsec_` and 24 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** Headers for one message, signed with each secret (during a rotation: the new and the old). */
export function signWebhook(secrets: readonly string[], message: { id: string; timestamp: Date; body: string }): WebhookHeaders {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(message.id, message.timestamp, message.body));
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(message.timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

export type WebhookVerification =
  | { ok: true }
  | { ok: false; reason: 'missing-headers' | 'malformed-timestamp' | 'stale-timestamp' | 'invalid-secret' | 'signature-mismatch' };

/** The standardwebhooks library's window, either side of now. */
const toleranceSeconds = 5 * 60;

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * For receivers: whether `body` (the raw request body) came signed with `secret` and is fresh.
 * Never throws, whatever the headers hold (non-ASCII, garbage, repeated headers): a bad request
 * must not become a 500 in the receiver. `headers` as Node's `request.headers` gives them.
 */
export function verifyWebhook(
  secret: string,
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  body: string,
): WebhookVerification {
  const lowerCased = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), single(value)]));
  const id = lowerCased.get('webhook-id');
  const timestamp = lowerCased.get('webhook-timestamp');
  const signature = lowerCased.get('webhook-signature');
  if (id === undefined || timestamp === undefined || signature === undefined) return { ok: false, reason: 'missing-headers' };
  // The library's parseInt would take "123abc"; the specification says an integer.
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed-timestamp' };
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'stale-timestamp' };
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch {
    return { ok: false, reason: 'invalid-secret' };
  }
  try {
    webhook.verify(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
    return { ok: true };
  } catch {
    return { ok: false, reason: 'signature-mismatch' };
  }
}
