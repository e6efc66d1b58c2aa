import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimJobs,
  completeJob,
  completeJobs,
  createTrackedJob,
  enqueueJobs,
  extendLeases,
  failJob,
  failJobs,
  recordProgress,
  releaseJobs,
  rescueExpiredJobs,
  type AttemptRef,
  type NewJob,
} from '../src/index.ts';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';

let db: TestDatabase;
let ownerId: string;
const kinds = ['noop'];
const lease = { leaseMs: 30_000 };

function job(overrides: Partial<NewJob> = {}): NewJob {
  return { kind: 'noop', payloadVersion: 1, input: { n: 1 }, ownerId, maxAttempts: 3, ...overrides };
}

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 20 });
  ownerId = await createTestUser(db);
});
afterAll(() => db.drop());

async function clearJobs(): Promise<void> {
  await db.pool.query('DELETE FROM job');
}

describe('claiming', () => {
  it('never hands one job to two workers, however many claim at once', async () => {
    await clearJobs();
    await enqueueJobs(db.pool, Array.from({ length: 500 }, (_, n) => job({ input: { n } })));
    const claimedBy = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        const workerId = `worker-${w}`;
        for (;;) {
          const batch = await claimJobs(db.pool, { workerId, kinds, limit: 7, ...lease });
          if (batch.length === 0) return;
          for (const claimed of batch) {
            expect(claimedBy.has(claimed.id), `job ${claimed.id} claimed twice`).toBe(false);
            claimedBy.set(claimed.id, workerId);
          }
        }
      }),
    );
    expect(claimedBy.size).toBe(500);
    expect(new Set(claimedBy.values()).size).toBeGreaterThan(1);
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM job_attempt WHERE attempt = 1 AND outcome = 'running'`,
    );
    expect(Number(rows[0]?.n)).toBe(500);
  });

  it('takes higher priority first, then older jobs, and skips jobs not yet due or of other kinds', async () => {
    await clearJobs();
    const [low, high, later, other] = await enqueueJobs(db.pool, [
      job({ priority: 0 }),
      job({ priority: 5 }),
      job({ priority: 9, runAt: new Date(Date.now() + 60_000) }),
      job({ kind: 'other', priority: 9 }),
    ]);
    const claimed = await claimJobs(db.pool, { workerId: 'w', kinds, limit: 10, ...lease });
    expect(claimed.map((c) => c.id)).toEqual([high?.id, low?.id]);
    expect(claimed.map((c) => c.id)).not.toContain(later?.id);
    expect(claimed.map((c) => c.id)).not.toContain(other?.id);
    expect(claimed[0]).toMatchObject({ kind: 'noop', attempt: 1, maxAttempts: 3, input: { n: 1 } });
  });

  it('tells how long each job waited since it became runnable, by the database clock', async () => {
    await clearJobs();
    const [delayed] = await enqueueJobs(db.pool, [job()]);
    // As if it had been due for an hour: the wait counts from run_at, whenever the row was made.
    await db.pool.query(`UPDATE job SET run_at = now() - interval '1 hour' WHERE id = $1`, [delayed?.id]);
    const [claimed] = await claimJobs(db.pool, { workerId: 'w', kinds, limit: 1, ...lease });
    expect(claimed?.waitedMs).toBeGreaterThanOrEqual(3_600_000);
    expect(claimed?.waitedMs).toBeLessThan(2 * 3_600_000);
  });
});

describe('fair shares of the handler slots', () => {
  it('serves owners below their share first, within one claim and across claims, and leaves no slot idle', async () => {
    await clearJobs();
    const otherOwner = await createTestUser(db);
    // Tracked jobs run elsewhere: they take no slot and do not count.
    await createTrackedJob(db.pool, { kind: 'tracked', payloadVersion: 1, input: {}, ownerId, leaseMs: 60_000, message: 'export' });
    const first = await enqueueJobs(db.pool, Array.from({ length: 5 }, (_, n) => job({ input: { n } })));
    const [late] = await enqueueJobs(db.pool, [job({ ownerId: otherOwner })]);
    const fair = { workerId: 'w', kinds, ...lease, fairSharePerOwner: 2 };
    const ids = (jobs: { id: string }[]) => jobs.map((claimed) => claimed.id);

    // Within one claim: the first owner's share, the other owner's job, then the rest, so that no
    // slot is left idle.
    const claimed = await claimJobs(db.pool, { ...fair, limit: 10 });
    expect(ids(claimed)).toEqual([first[0]?.id, first[1]?.id, late?.id, first[2]?.id, first[3]?.id, first[4]?.id]);
    // Across claims: with the first owner's jobs running, the other owner's new job goes ahead of the
    // first owner's, wherever they are in the queue; the rest still goes to a free slot.
    const more = await enqueueJobs(db.pool, Array.from({ length: 3 }, (_, n) => job({ input: { n: 5 + n } })));
    const [later] = await enqueueJobs(db.pool, [job({ ownerId: otherOwner })]);
    expect(ids(await claimJobs(db.pool, { ...fair, limit: 1 }))).toEqual([later?.id]);
    expect(ids(await claimJobs(db.pool, { ...fair, limit: 10 }))).toEqual(ids(more));
  });
});

describe('finishing', () => {
  it('accepts the result only from the worker holding the attempt', async () => {
    await clearJobs();
    await enqueueJobs(db.pool, [job()]);
    const [claimed] = await claimJobs(db.pool, { workerId: 'holder', kinds, limit: 1, ...lease });
    if (!claimed) throw new Error('nothing claimed');
    const ref = { jobId: claimed.id, attempt: claimed.attempt };

    expect(await completeJob(db.pool, { ...ref, workerId: 'intruder' }, { ok: false }, 1000)).toBe(false);
    expect(await completeJob(db.pool, { ...ref, workerId: 'holder', attempt: 2 }, { ok: false }, 1000)).toBe(false);
    expect(await completeJob(db.pool, { ...ref, workerId: 'holder' }, { ok: true }, 1000)).toBe(true);
    expect(await completeJob(db.pool, { ...ref, workerId: 'holder' }, { ok: 'again' }, 1000)).toBe(false);

    const stored = await db.prisma.job.findUniqueOrThrow({ where: { id: claimed.id }, include: { attempts: true } });
    expect(stored).toMatchObject({ status: 'completed', result: { ok: true }, progress: 100, lockedBy: null });
    expect(stored.expiresAt?.getTime()).toBeGreaterThan(Date.now());
    expect(stored.attempts).toMatchObject([{ attempt: 1, workerId: 'holder', outcome: 'completed' }]);
  });

  it('writes a batch of completions in one statement, refusing only the attempts no longer held', async () => {
    await clearJobs();
    await enqueueJobs(db.pool, Array.from({ length: 5 }, (_, n) => job({ input: { n } })));
    const claimed = await claimJobs(db.pool, { workerId: 'w', kinds, limit: 5, ...lease });
    const refs = claimed.map((c) => ({ jobId: c.id, workerId: 'w', attempt: c.attempt }));
    const [lost, ...held] = refs;
    if (!lost) throw new Error('nothing claimed');
    // As if its lease had lapsed and the rescuer had queued it again: no longer this worker's.
    await db.pool.query(`UPDATE job SET status = 'queued', locked_by = NULL WHERE id = $1`, [lost.jobId]);

    const accepted = await completeJobs(
      db.pool,
      refs.map((ref, n) => ({ ref, result: { n }, retentionMs: 1000 + n })),
    );
    expect(accepted).toEqual(new Set(held.map((ref) => ref.jobId)));
    const rows = await db.prisma.job.findMany({ include: { attempts: true }, orderBy: { id: 'asc' } });
    for (const row of rows) {
      const n = refs.findIndex((ref) => ref.jobId === row.id);
      if (row.id === lost.jobId) {
        expect(row).toMatchObject({ status: 'queued', result: null, attempts: [{ outcome: 'running' }] });
      } else {
        expect(row).toMatchObject({ status: 'completed', result: { n }, lockedBy: null, attempts: [{ outcome: 'completed' }] });
        expect((row.expiresAt?.getTime() ?? 0) - (row.finishedAt?.getTime() ?? 0)).toBe(1000 + n);
      }
    }
  });

  it('fails and releases batches with each attempt’s own values', async () => {
    await clearJobs();
    await enqueueJobs(db.pool, Array.from({ length: 4 }, (_, n) => job({ input: { n }, maxAttempts: 2 })));
    const claimed = await claimJobs(db.pool, { workerId: 'w', kinds, limit: 4, ...lease });
    const [retried, fatal, releasedOne, releasedTwo] = claimed.map((c) => ({ jobId: c.id, workerId: 'w', attempt: c.attempt }));
    if (!retried || !fatal || !releasedOne || !releasedTwo) throw new Error('not enough claimed');
    const failure = (ref: AttemptRef, retryable: boolean) => ({
      ref,
      failure: { code: retryable ? 'FLAKY' : 'FATAL', message: 'no', stack: 'at x' },
      retryable,
      retryDelayMs: 60_000,
      retentionMs: 1000,
      outcome: retryable ? ('failed' as const) : ('timed_out' as const),
    });
    const statuses = await failJobs(db.pool, [failure(retried, true), failure(fatal, false)]);
    expect(statuses).toEqual(new Map([[retried.jobId, 'queued'], [fatal.jobId, 'failed']]));
    expect(await releaseJobs(db.pool, [releasedOne, releasedTwo, fatal])).toEqual(new Set([releasedOne.jobId, releasedTwo.jobId]));

    const byId = new Map((await db.prisma.job.findMany({ include: { attempts: true } })).map((row) => [row.id, row]));
    expect(byId.get(retried.jobId)).toMatchObject({ status: 'queued', error: { code: 'FLAKY' }, attempts: [{ outcome: 'failed' }] });
    expect(byId.get(retried.jobId)?.runAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(byId.get(fatal.jobId)).toMatchObject({ status: 'failed', attempts: [{ outcome: 'timed_out', error: { stack: 'at x' } }] });
    for (const released of [releasedOne, releasedTwo]) {
      expect(byId.get(released.jobId)).toMatchObject({ status: 'queued', attempt: 1, maxAttempts: 3, attempts: [{ outcome: 'released' }] });
    }
  });

  it('never deadlocks a worker’s heartbeats against its batches of completions over the same rows', async () => {
    await clearJobs();
    await enqueueJobs(db.pool, Array.from({ length: 300 }, (_, n) => job({ input: { n } })));
    const claimed = await claimJobs(db.pool, { workerId: 'w', kinds, limit: 300, ...lease });
    const shuffled = <T>(items: readonly T[]): T[] => [...items].sort(() => Math.random() - 0.5);
    const ids = claimed.map((c) => c.id);
    const batches = [0, 1, 2].map((part) =>
      shuffled(claimed.filter((_, n) => n % 3 === part)).map((c) => ({ ref: { jobId: c.id, workerId: 'w', attempt: c.attempt }, result: {}, retentionMs: 1000 })),
    );
    await Promise.all([
      ...Array.from({ length: 6 }, () => extendLeases(db.pool, 'w', shuffled(ids), 30_000)),
      ...batches.map((batch) => completeJobs(db.pool, batch)),
    ]);
    expect(await db.prisma.job.count({ where: { status: 'completed' } })).toBe(300);
  });

  it('queues a retryable failure again until attempts run out, keeping each attempt', async () => {
    await clearJobs();
    const [enqueued] = await enqueueJobs(db.pool, [job({ maxAttempts: 2 })]);
    const failure = { code: 'BOOM', message: 'it broke', stack: 'Error: it broke\n at x', detail: 'connect ECONNREFUSED 10.0.0.7:5432' };
    const options = { retryable: true, retryDelayMs: 0, retentionMs: 1000, outcome: 'failed' as const };

    const [first] = await claimJobs(db.pool, { workerId: 'w', kinds, limit: 1, ...lease });
    if (!first) throw new Error('nothing claimed');
    expect(await failJob(db.pool, { jobId: first.id, workerId: 'w', attempt: 1 }, failure, options)).toBe('queued');
    const [second] = await claimJobs(db.pool, { workerId: 'w', kinds, limit: 1, ...lease });
    expect(second).toMatchObject({ id: enqueued?.id, attempt: 2 });
    expect(await failJob(db.pool, { jobId: first.id, workerId: 'w', attempt: 2 }, failure, options)).toBe('failed');

    const stored = await db.prisma.job.findUniqueOrThrow({ where: { id: first.id }, include: { attempts: true } });
    expect(stored.status).toBe('failed');
    expect(stored.error).toEqual({ code: 'BOOM', message: 'it broke' });
    expect(stored.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    expect(stored.attempts[0]?.error).toMatchObject({ stack: failure.stack, detail: failure.detail });
  });

  it('tells the owner of a job whose lease lapsed that its worker stopped, and only the attempt which worker', async () => {
    await clearJobs();
    await enqueueJobs(db.pool, [job()]);
    const workerId = 'build-host-7:4242:a1b2c3';
    const [claimed] = await claimJobs(db.pool, { workerId, kinds, limit: 1, leaseMs: 1 });
    await db.pool.query(`SELECT pg_sleep(0.01)`);
    const rescue = { limit: 10, retentionMsByKind: {}, defaultRetentionMs: 1000 };
    expect(await rescueExpiredJobs(db.pool, rescue)).toEqual([{ id: claimed?.id, kind: 'noop', status: 'queued' }]);
    const stored = await db.prisma.job.findUniqueOrThrow({ where: { id: claimed?.id }, include: { attempts: true } });
    expect(stored.error).toEqual({ code: 'LEASE_EXPIRED', message: 'The worker running attempt 1 stopped responding.' });
    expect(stored.attempts[0]?.error).toMatchObject({ code: 'LEASE_EXPIRED', detail: `The lease of ${workerId} lapsed.` });
  });

  it('keeps progress from going backwards and bumps the version on every change', async () => {
    await clearJobs();
    await enqueueJobs(db.pool, [job()]);
    const [claimed] = await claimJobs(db.pool, { workerId: 'w', kinds, limit: 1, ...lease });
    if (!claimed) throw new Error('nothing claimed');
    const ref = { jobId: claimed.id, workerId: 'w', attempt: 1 };
    const before = await db.prisma.job.findUniqueOrThrow({ where: { id: claimed.id } });
    await recordProgress(db.pool, ref, { percent: 60, message: 'Counting', data: { step: 2 } });
    await recordProgress(db.pool, ref, { percent: 40 });
    const after = await db.prisma.job.findUniqueOrThrow({ where: { id: claimed.id } });
    expect(after).toMatchObject({ progress: 60, progressMessage: 'Counting', progressData: { step: 2 } });
    expect(after.version).toBe(before.version + 2);
    expect(await recordProgress(db.pool, { ...ref, workerId: 'stale' }, { percent: 90 })).toBe(false);
  });
});

describe('enqueueing', () => {
  it('returns the existing job for a repeated idempotency key, even under concurrent starts', async () => {
    await clearJobs();
    const starts = await Promise.all(
      Array.from({ length: 8 }, () => enqueueJobs(db.pool, [job({ idempotencyKey: 'report-42' })])),
    );
    const ids = new Set(starts.map(([started]) => started?.id));
    expect(ids.size).toBe(1);
    expect(starts.filter(([started]) => started?.created)).toHaveLength(1);
    expect(await db.prisma.job.count()).toBe(1);
  });

  it('inserts a batch in one call and returns the jobs in the order given', async () => {
    await clearJobs();
    const batch = Array.from({ length: 1000 }, (_, n) => job({ input: { n } }));
    const enqueued = await enqueueJobs(db.pool, batch);
    expect(enqueued).toHaveLength(1000);
    const stored = await db.prisma.job.findMany({ select: { id: true, input: true } });
    const inputById = new Map(stored.map((row) => [row.id, row.input]));
    enqueued.forEach((row, n) => {
      expect(inputById.get(row.id)).toEqual({ n });
    });
  });
});
