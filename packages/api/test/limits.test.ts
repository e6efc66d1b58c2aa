import { claimJobs, failJob } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext, type ApiSettings } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
let adminId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  adminId = await createTestUser(db, 'admin');
});
afterAll(() => db.drop());

async function callerWith(settings: Partial<ApiSettings>) {
  const userId = await createTestUser(db);
  return { userId, caller: createCaller(createInnerContext({ db, actor: { userId, role: 'user' }, settings })) };
}

/** Ends a queued job failed for good, as a worker would after its last attempt. */
async function failForGood(jobId: string): Promise<void> {
  await db.pool.query('UPDATE job SET max_attempts = 1, priority = 10 WHERE id = $1', [jobId]);
  const [claimed] = await claimJobs(db.pool, { workerId: 'w', kinds: ['documentAnalysis'], limit: 1, leaseMs: 60_000 });
  expect(claimed?.id).toBe(jobId);
  await failJob(db.pool, { jobId, workerId: 'w', attempt: 1 }, { code: 'BOOM', message: 'It broke.' }, {
    retryable: false, retryDelayMs: 0, retentionMs: 60_000, outcome: 'failed',
  });
}

describe('per-user limits', () => {
  it('hold for concurrent starts: exactly the limit is accepted, the rest refused with the reason', async () => {
    const { caller } = await callerWith({ maxActiveJobsPerUser: 10 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, n) => caller.analysis.startDocumentAnalysis({ input: { text: `Racing start ${n}.` } })),
    );
    const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome): unknown[] => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(accepted).toHaveLength(10);
    expect(refused).toHaveLength(50);
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(TRPCError);
      expect(reason).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    }
  });

  it('count tracked jobs: createTracked is refused past the limit, and tracked jobs use up the start budget', async () => {
    const { caller } = await callerWith({ maxActiveJobsPerUser: 2 });
    await caller.jobs.createTracked({ message: 'First export' });
    await caller.jobs.createTracked({ message: 'Second export' });
    const tracked = await errorOf(caller.jobs.createTracked({ message: 'Third export' }));
    expect([tracked.code, tracked.message]).toEqual([
      'TOO_MANY_REQUESTS',
      'You have 2 jobs queued or running; the limit is 2. Wait for some to finish or cancel them.',
    ]);
    expect((await errorOf(caller.analysis.startDocumentAnalysis({ input: { text: 'One more.' } }))).code).toBe('TOO_MANY_REQUESTS');
  });

  it('check a retry against the owner’s limits, whether the owner or an admin asks', async () => {
    const { userId, caller } = await callerWith({ maxActiveJobsPerUser: 1 });
    const failed = (await caller.analysis.startDocumentAnalysis({ input: { text: 'Will fail.' } })).jobId;
    await failForGood(failed);
    await caller.analysis.startDocumentAnalysis({ input: { text: 'Keeps the queue full.' } });

    const own = await errorOf(caller.jobs.retryJob({ jobId: failed }));
    expect([own.code, own.message]).toEqual([
      'TOO_MANY_REQUESTS',
      'You have 1 jobs queued or running; the limit is 1. Wait for some to finish or cancel them.',
    ]);
    const admin = createCaller(createInnerContext({ db, actor: { userId: adminId, role: 'admin' }, settings: { maxActiveJobsPerUser: 1 } }));
    expect((await admin.admin.retry({ jobIds: [failed] })).results).toEqual([
      { jobId: failed, ok: false, message: 'Its owner has 1 jobs queued or running; the limit is 1. Wait for some to finish or cancel them.' },
    ]);
    expect((await errorOf(admin.jobs.retryJob({ jobId: failed }))).message).toMatch(/^Its owner has 1 jobs queued or running/);
    expect(await db.prisma.job.count({ where: { ownerId: userId, status: 'queued' } })).toBe(1);

    await db.pool.query(`UPDATE job SET status = 'completed' WHERE owner_id = $1 AND status = 'queued'`, [userId]);
    expect(await caller.jobs.retryJob({ jobId: failed })).toEqual({ jobId: failed, status: 'queued' });
  });

  it('check a batch as a whole: startMany past the limit stores nothing', async () => {
    const { userId, caller } = await callerWith({ maxActiveJobsPerUser: 3 });
    const jobs = Array.from({ length: 4 }, (_, n) => ({ kind: 'documentAnalysis' as const, input: { text: `Batch ${n}.` } }));
    expect((await errorOf(caller.analysis.startMany({ jobs }))).code).toBe('TOO_MANY_REQUESTS');
    expect(await db.prisma.job.count({ where: { ownerId: userId } })).toBe(0);
    expect((await caller.analysis.startMany({ jobs: jobs.slice(1) })).jobs).toHaveLength(3);
  });
});
