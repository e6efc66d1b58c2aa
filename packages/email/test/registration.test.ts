import { cancelJob } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { enqueue } from '@jobkit/worker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailNotification } from '../src/contract.ts';
import { registerEmailNotificationKind } from '../src/registration.ts';
import { quickJob } from './fixtures/handlers.ts';

// No worker here: cancelling a queued job is an ending statement like any other, and the e-mail
// job it enqueues stays queued for the test to read.
let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
});
afterAll(async () => {
  await db.drop();
});

/** Ends a job started with notifyByEmail and returns the e-mail job the trigger enqueued for it. */
async function mailJobOfAFinishedJob() {
  const [jobId] = await enqueue(db, quickJob, ownerId, [{ secret: 'ends now' }], { notifyByEmail: true });
  if (!jobId) throw new Error('no job enqueued');
  expect(await cancelJob(db.pool, jobId, quickJob.retentionMs)).toEqual({ result: 'cancelled' });
  return db.prisma.job.findFirstOrThrow({
    where: { input: { path: ['jobId'], equals: jobId } },
    select: { kind: true, payloadVersion: true, maxAttempts: true, input: true, ownerId: true },
  });
}

describe('what the e-mail trigger enqueues', () => {
  it('is the e-mail contract as seeded by the migration, and as the worker registers it', async () => {
    // Before any worker ran: the migration's seed, the contract's values of this release.
    const seeded = await mailJobOfAFinishedJob();
    expect(seeded).toMatchObject({ kind: emailNotification.kind, payloadVersion: emailNotification.version, maxAttempts: emailNotification.maxAttempts });

    expect(await registerEmailNotificationKind(db.pool)).toEqual({
      written: true,
      stored: { kind: emailNotification.kind, payloadVersion: emailNotification.version, maxAttempts: emailNotification.maxAttempts },
    });
    const registered = await mailJobOfAFinishedJob();
    expect(registered).toMatchObject({ kind: emailNotification.kind, ownerId, input: { kind: quickJob.kind, status: 'cancelled', to: `${ownerId}@test.invalid` } });
    // The input the trigger builds is one today's contract reads.
    expect(emailNotification.input.safeParse(registered.input).success).toBe(true);
  });

  it('follows its own row, apart from the webhook one; a newer release is kept in a rolling deploy', async () => {
    const webhookRow = await db.prisma.finishNotificationKind.findUniqueOrThrow({ where: { channel: 'webhook' } });
    const newer = { kind: emailNotification.kind, version: emailNotification.version + 1, maxAttempts: 4 };
    expect(await registerEmailNotificationKind(db.pool, newer)).toMatchObject({ written: true });
    expect(await registerEmailNotificationKind(db.pool)).toMatchObject({ written: false, stored: { payloadVersion: newer.version, maxAttempts: 4 } });
    expect(await mailJobOfAFinishedJob()).toMatchObject({ payloadVersion: newer.version, maxAttempts: 4 });
    expect(await db.prisma.finishNotificationKind.findUniqueOrThrow({ where: { channel: 'webhook' } })).toEqual(webhookRow);
  });

  it('cannot lose its row', async () => {
    await expect(db.pool.query("DELETE FROM finish_notification_kind WHERE channel = 'email'")).rejects.toThrow(/must keep its rows/);
    expect(await db.prisma.finishNotificationKind.count()).toBe(2);
  });
});
