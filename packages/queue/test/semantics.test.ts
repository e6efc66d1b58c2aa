import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelJob,
  claimJobs,
  completeJob,
  enqueueJobs,
  failJob,
  finishCancelledJob,
  releaseJob,
  rescueExpiredJobs,
  retryJob,
  sweepExpiredJobs,
  type NewJob,
} from '../src/index.ts';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';

let db: TestDatabase;
let ownerId: string;
const kinds = ['noop'];
const rescue = { limit: 100, retentionMsByKind: { noop: 60_000 }, defaultRetentionMs: 1000 };

function job(overrides: Partial<NewJob> = {}): NewJob {
  return { kind: 'noop', payloadVersion: 1, input: {}, ownerId, maxAttempts: 2, ...overrides };
}

async function claimOne(workerId: string, leaseMs = 30_000) {
  const [claimed] = await claimJobs(db.pool, { workerId, kinds, limit: 1, leaseMs });
  if (!claimed) throw new Error('nothing to claim');
  return { ...claimed, ref: { jobId: claimed.id, workerId, attempt: claimed.attempt } };
}

async function stored(id: string) {
  return db.prisma.job.findUniqueOrThrow({ where: { id }, include: { attempts: { orderBy: { attempt: 'asc' } } } });
}

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 10 });
  ownerId = await createTestUser(db);
});
afterAll(() => db.drop());
beforeEach(async () => {
  await db.pool.query('DELETE FROM job; DELETE FROM expired_job');
});

describe('lease rescue', () => {
  it('queues a job again when its lease lapses, and refuses the old holder’s late result', async () => {
    const [enqueued] = await enqueueJobs(db.pool, [job()]);
    const first = await claimOne('dead-worker', 50);
    await sleep(80);
    expect(await rescueExpiredJobs(db.pool, rescue)).toEqual([{ id: enqueued?.id, kind: 'noop', status: 'queued' }]);
    const second = await claimOne('live-worker');
    expect(second.attempt).toBe(2);

    expect(await completeJob(db.pool, first.ref, { from: 'dead' }, 1000)).toBe(false);
    expect(await completeJob(db.pool, second.ref, { from: 'live' }, 1000)).toBe(true);
    const row = await stored(first.id);
    expect(row.result).toEqual({ from: 'live' });
    expect(row.attempts.map((a) => [a.workerId, a.outcome])).toEqual([
      ['dead-worker', 'lost'],
      ['live-worker', 'completed'],
    ]);
    expect(row.attempts[0]?.error).toMatchObject({ code: 'LEASE_EXPIRED' });
  });

  it('leaves live leases alone, fails a job whose attempts are used up, and cancels one asked to stop', async () => {
    const [live, last, cancelled] = await enqueueJobs(db.pool, [job(), job({ maxAttempts: 1 }), job()]);
    await claimJobs(db.pool, { workerId: 'w', kinds, limit: 1, leaseMs: 60_000 });
    await claimJobs(db.pool, { workerId: 'w', kinds, limit: 2, leaseMs: 20 });
    expect(await cancelJob(db.pool, cancelled?.id ?? '', 1000)).toEqual({ result: 'cancelling' });
    await sleep(50);
    const rescued = await rescueExpiredJobs(db.pool, rescue);
    expect(new Map(rescued.map((r) => [r.id, r.status]))).toEqual(
      new Map([
        [last?.id, 'failed'],
        [cancelled?.id, 'cancelled'],
      ]),
    );
    expect((await stored(live?.id ?? '')).status).toBe('running');
    const failed = await stored(last?.id ?? '');
    expect(failed.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });
});

describe('release on shutdown', () => {
  it('gives the job back without using up its attempt', async () => {
    const [enqueued] = await enqueueJobs(db.pool, [job({ maxAttempts: 1 })]);
    const claimed = await claimOne('stopping-worker');
    expect(await releaseJob(db.pool, claimed.ref)).toBe(true);
    const row = await stored(enqueued?.id ?? '');
    expect(row).toMatchObject({ status: 'queued', attempt: 1, maxAttempts: 2, lockedBy: null });
    expect(row.attempts.map((a) => a.outcome)).toEqual(['released']);
    expect((await claimOne('next-worker')).attempt).toBe(2);
  });
});

describe('cancel and retry', () => {
  it('cancels a queued job at once and says why a finished one cannot be', async () => {
    const [queued, done] = await enqueueJobs(db.pool, [job(), job()]);
    expect(await cancelJob(db.pool, queued?.id ?? '', 1000)).toEqual({ result: 'cancelled' });
    expect(await stored(queued?.id ?? '')).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    const claimed = await claimOne('w');
    expect(claimed.id).toBe(done?.id);
    await completeJob(db.pool, claimed.ref, {}, 1000);
    expect(await cancelJob(db.pool, done?.id ?? '', 1000)).toEqual({ result: 'not-cancellable', status: 'completed' });
    expect(await cancelJob(db.pool, '0199c1d2-7f3e-7a10-9c4b-2f1e0d3c4b5a', 1000)).toEqual({ result: 'not-found' });
  });

  it('queues a failed or cancelled job again with a fresh budget, keeping its history', async () => {
    const [enqueued] = await enqueueJobs(db.pool, [job({ maxAttempts: 1 })]);
    const claimed = await claimOne('w', 10);
    await sleep(30);
    await rescueExpiredJobs(db.pool, rescue);
    expect((await stored(claimed.id)).status).toBe('failed');
    expect(await retryJob(db.pool, claimed.id, 3)).toBe(true);
    expect(await retryJob(db.pool, claimed.id, 3)).toBe(false);
    const row = await stored(enqueued?.id ?? '');
    expect(row).toMatchObject({ status: 'queued', attempt: 1, maxAttempts: 4, error: null, finishedAt: null });
    expect(row.attempts).toHaveLength(1);
  });
});

describe('retention', () => {
  it('deletes expired jobs with their attempts, leaves a tombstone, and sweeps in one process at a time', async () => {
    const [old, fresh] = await enqueueJobs(db.pool, [job(), job()]);
    for (const id of [old?.id, fresh?.id]) {
      const claimed = await claimOne('w');
      await completeJob(db.pool, claimed.ref, {}, id === old?.id ? 0 : 60_000);
    }
    const sweeps = await Promise.all([1, 2, 3].map(() => sweepExpiredJobs(db.pool, { batchSize: 100, tombstoneMs: 60_000, unusedFileMs: 86_400_000 })));
    expect(sweeps.reduce<number>((sum, deleted) => sum + (deleted ?? 0), 0)).toBe(1);
    expect(await db.prisma.job.findMany({ select: { id: true } })).toEqual([{ id: fresh?.id }]);
    expect(await db.prisma.jobAttempt.count({ where: { jobId: old?.id } })).toBe(0);
    expect(await db.prisma.expiredJob.findUnique({ where: { id: old?.id } })).toMatchObject({ ownerId, kind: 'noop' });
  });

  it('lets only one of two concurrent sweeps hold the lock', async () => {
    const client = await db.pool.connect();
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(72707370)');
    expect(await sweepExpiredJobs(db.pool, { batchSize: 100, tombstoneMs: 60_000, unusedFileMs: 86_400_000 })).toBeNull();
    await client.query('ROLLBACK');
    client.release();
    expect(await sweepExpiredJobs(db.pool, { batchSize: 100, tombstoneMs: 60_000, unusedFileMs: 86_400_000 })).toBe(0);
  });
});

describe('completion webhooks', () => {
  it('enqueues exactly one delivery, naming the endpoint, in the same transaction, when a job with a webhook endpoint finishes', async () => {
    const endpointId = '01900000-0000-7000-8000-00000000e001';
    await db.pool.query(`INSERT INTO webhook_endpoint (id, owner_id, url, secret) VALUES ($1, $2, 'https://example.test/hook', 'whsec_c2VjcmV0')`, [
      endpointId,
      ownerId,
    ]);
    const [withHook] = await enqueueJobs(db.pool, [job({ webhookEndpointId: endpointId }), job()]);
    for (let n = 0; n < 2; n++) {
      const claimed = await claimOne('w');
      await completeJob(db.pool, claimed.ref, {}, 1000);
    }
    const deliveries = await db.prisma.job.findMany({ where: { kind: 'webhookDelivery' } });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      status: 'queued',
      ownerId,
      maxAttempts: 8,
      payloadVersion: 2,
      input: { endpointId, jobId: withHook?.id, kind: 'noop', status: 'completed' },
    });
    expect(deliveries[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
  });
});

describe('e-mail on finish', () => {
  const mailJobsOf = async (jobId: string | undefined) =>
    db.prisma.job.findMany({ where: { kind: 'emailNotification', input: { path: ['jobId'], equals: jobId } } });
  const failure = { code: 'BROKEN', message: 'It broke.' };

  it('enqueues exactly one e-mail job, in the same transaction, whichever statement ends a job started with notifyByEmail', async () => {
    const [completed, failed, retried, cancelledQueued, cancelledRunning, lost, without] = await enqueueJobs(db.pool, [
      job({ notifyByEmail: true }),
      job({ notifyByEmail: true, maxAttempts: 1 }),
      job({ notifyByEmail: true }),
      job({ notifyByEmail: true, runAt: new Date(Date.now() + 3_600_000) }),
      job({ notifyByEmail: true }),
      job({ notifyByEmail: true, maxAttempts: 1 }),
      job(),
    ]);
    // Claimed in the order enqueued (same priority, run_at now): completed, failed, retried...
    await completeJob(db.pool, (await claimOne('w')).ref, {}, 1000);
    await failJob(db.pool, (await claimOne('w')).ref, failure, { retryable: false, retryDelayMs: 0, retentionMs: 1000, outcome: 'failed' });
    // A failure that queues the job again is no end: no mail until the retry ends it.
    const retry = await claimOne('w');
    expect(await failJob(db.pool, retry.ref, failure, { retryable: true, retryDelayMs: 0, retentionMs: 1000, outcome: 'failed' })).toBe('queued');
    expect(await mailJobsOf(retried?.id)).toHaveLength(0);
    expect(await cancelJob(db.pool, cancelledQueued?.id ?? '', 1000)).toEqual({ result: 'cancelled' });
    const running = await claimOne('w');
    expect(running.id).toBe(cancelledRunning?.id);
    expect(await cancelJob(db.pool, running.id, 1000)).toEqual({ result: 'cancelling' });
    await finishCancelledJob(db.pool, running.ref, 1000);
    // Its worker died with its one attempt: the rescuer fails it.
    expect((await claimOne('dead-worker', 50)).id).toBe(lost?.id);
    await sleep(80);
    expect(await rescueExpiredJobs(db.pool, rescue)).toEqual([{ id: lost?.id, kind: 'noop', status: 'failed' }]);
    await completeJob(db.pool, (await claimOne('w')).ref, {}, 1000); // the retried job, second attempt
    await completeJob(db.pool, (await claimOne('w')).ref, {}, 1000); // the one without the option

    for (const [ended, status] of [
      [completed, 'completed'],
      [failed, 'failed'],
      [retried, 'completed'],
      [cancelledQueued, 'cancelled'],
      [cancelledRunning, 'cancelled'],
      [lost, 'failed'],
    ] as const) {
      const mails = await mailJobsOf(ended?.id);
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({
        status: 'queued',
        ownerId,
        payloadVersion: 1,
        maxAttempts: 10,
        input: { jobId: ended?.id, kind: 'noop', status, to: `${ownerId}@test.invalid` },
      });
    }
    expect(await mailJobsOf(without?.id)).toHaveLength(0);
  });
});
