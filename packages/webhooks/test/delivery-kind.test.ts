import { cancelJob } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { enqueue } from '@jobkit/worker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookDelivery } from '../src/delivery-contract.ts';
import { registerWebhookDeliveryKind } from '../src/delivery-kind.ts';
import { quickJob } from './fixtures/handlers.ts';
import { insertEndpoint } from './receiver.ts';

// No worker here: cancelling a queued job is an ending statement like any other, and the delivery
// it enqueues stays queued for the test to read.
let db: TestDatabase;
let ownerId: string;
let endpointId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
  endpointId = await insertEndpoint(db, ownerId, 'https://hooks.example.com/jobs');
});
afterAll(async () => {
  await db.drop();
});

/** Ends a job that names the endpoint and returns the delivery the trigger enqueued for it. */
async function deliveryOfAFinishedJob() {
  const [jobId] = await enqueue(db, quickJob, ownerId, [{ text: 'ends now' }], { webhookEndpointId: endpointId });
  if (!jobId) throw new Error('no job enqueued');
  expect(await cancelJob(db.pool, jobId, quickJob.retentionMs)).toEqual({ result: 'cancelled' });
  return db.prisma.job.findFirstOrThrow({
    where: { input: { path: ['jobId'], equals: jobId } },
    select: { kind: true, payloadVersion: true, maxAttempts: true, input: true },
  });
}

describe('what the finish trigger enqueues', () => {
  it('is the delivery contract: its kind, version and attempts, as the worker registered them', async () => {
    expect(await registerWebhookDeliveryKind(db.pool)).toEqual({
      written: true,
      stored: { kind: webhookDelivery.kind, payloadVersion: webhookDelivery.version, maxAttempts: webhookDelivery.maxAttempts },
    });
    const delivery = await deliveryOfAFinishedJob();
    expect(delivery).toMatchObject({ kind: webhookDelivery.kind, payloadVersion: webhookDelivery.version, maxAttempts: webhookDelivery.maxAttempts });
    // The input the trigger builds is one today's contract reads.
    expect(webhookDelivery.input.safeParse(delivery.input).success).toBe(true);
  });

  it('follows the row: a newer release registered, the next delivery is stamped with its values', async () => {
    const newer = { kind: webhookDelivery.kind, version: webhookDelivery.version + 1, maxAttempts: 3 };
    expect(await registerWebhookDeliveryKind(db.pool, newer)).toMatchObject({ written: true });
    expect(await deliveryOfAFinishedJob()).toMatchObject({ kind: newer.kind, payloadVersion: newer.version, maxAttempts: 3 });
  });

  it('keeps a newer release when an older one starts later in a rolling deploy; the same version may change attempts', async () => {
    const newer = { kind: webhookDelivery.kind, version: webhookDelivery.version + 1, maxAttempts: 4 };
    await registerWebhookDeliveryKind(db.pool, newer);
    expect(await registerWebhookDeliveryKind(db.pool)).toEqual({
      written: false,
      stored: { kind: newer.kind, payloadVersion: newer.version, maxAttempts: 4 },
    });
    expect(await deliveryOfAFinishedJob()).toMatchObject({ payloadVersion: newer.version, maxAttempts: 4 });

    expect(await registerWebhookDeliveryKind(db.pool, { ...newer, maxAttempts: 6 })).toMatchObject({ written: true });
    expect(await deliveryOfAFinishedJob()).toMatchObject({ payloadVersion: newer.version, maxAttempts: 6 });
  });

  it('cannot lose its row, so no delivery is dropped for want of one', async () => {
    await expect(db.pool.query("DELETE FROM finish_notification_kind WHERE channel = 'webhook'")).rejects.toThrow(/must keep its rows/);
    await expect(db.pool.query('TRUNCATE finish_notification_kind')).rejects.toThrow(/must keep its rows/);
    await expect(
      db.pool.query("INSERT INTO finish_notification_kind (channel, kind, payload_version, max_attempts) VALUES ('sms', $1, 1, 1)", ['other']),
    ).rejects.toThrow(/finish_notification_kind_channel/);
    expect(await db.prisma.finishNotificationKind.count({ where: { channel: 'webhook' } })).toBe(1);
  });
});
