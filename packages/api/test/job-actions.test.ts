import { claimJobs, failJob, sweepExpiredJobs } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
let aliceId: string;
let alice: ReturnType<typeof createCaller>;
let bob: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  aliceId = await createTestUser(db);
  alice = createCaller(createInnerContext({ db, actor: { userId: aliceId, role: 'user' } }));
  bob = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
});
afterAll(() => db.drop());


async function start(text = 'Some text.'): Promise<string> {
  return (await alice.analysis.startDocumentAnalysis({ input: { text } })).jobId;
}

/** Makes a job fail for good, as a worker would after its last attempt (it must be the only one queued). */
async function failForGood(jobId: string): Promise<void> {
  await db.pool.query('UPDATE job SET max_attempts = 1 WHERE id = $1', [jobId]);
  const [claimed] = await claimJobs(db.pool, { workerId: 'w', kinds: ['documentAnalysis'], limit: 1, leaseMs: 60_000 });
  expect(claimed?.id).toBe(jobId);
  await failJob(db.pool, { jobId, workerId: 'w', attempt: 1 }, { code: 'BOOM', message: 'It broke.' }, {
    retryable: false, retryDelayMs: 0, retentionMs: 60_000, outcome: 'failed',
  });
}

describe('jobs.cancelJob', () => {
  it('cancels a queued job at once, refuses a finished one, and hides other users’ jobs', async () => {
    const jobId = await start();
    expect(await alice.jobs.cancelJob({ jobId })).toEqual({ jobId, status: 'cancelled' });
    expect((await alice.jobs.getJob({ jobId })).status).toBe('cancelled');

    const again = await errorOf(alice.jobs.cancelJob({ jobId }));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toMatch(/already cancelled; only queued or running jobs can be cancelled/);

    const other = await start();
    expect((await errorOf(bob.jobs.cancelJob({ jobId: other }))).code).toBe('NOT_FOUND');
    expect((await alice.jobs.getJob({ jobId: other })).status).toBe('queued');
  });
});

describe('jobs.retryJob', () => {
  it('queues a failed job again with a fresh attempt budget and refuses one that has not failed', async () => {
    await db.pool.query('DELETE FROM job');
    const jobId = await start();
    expect((await errorOf(alice.jobs.retryJob({ jobId }))).code).toBe('CONFLICT');
    await failForGood(jobId);
    expect(await alice.jobs.retryJob({ jobId })).toEqual({ jobId, status: 'queued' });
    const job = await alice.jobs.getJob({ jobId });
    expect(job).toMatchObject({ status: 'queued', attempt: 1, maxAttempts: 4, error: null });
  });
});

describe('analysis.startMany', () => {
  it('starts a batch in one call, or nothing when any item is invalid', async () => {
    const before = await db.prisma.job.count();
    const bad = await errorOf(
      alice.analysis.startMany({ jobs: [{ kind: 'documentAnalysis', input: { text: 'Fine.' } }, { kind: 'documentAnalysis', input: { text: '' } }] }),
    );
    expect(bad.code).toBe('BAD_REQUEST');
    expect(await db.prisma.job.count()).toBe(before);

    const { jobs } = await alice.analysis.startMany({
      jobs: [
        { kind: 'documentAnalysis', input: { text: 'One.' }, priority: 5 },
        { kind: 'documentAnalysis', input: { text: 'Two.' }, runAt: new Date(Date.now() + 3_600_000).toISOString() },
      ],
    });
    expect(jobs).toHaveLength(2);
    const rows = await db.prisma.job.findMany({ where: { id: { in: jobs.map((job) => job.jobId) } }, orderBy: { id: 'asc' } });
    expect(rows.map((row) => row.priority)).toEqual([5, 0]);
    expect(rows[1]?.runAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  });
});

describe('start options', () => {
  it('explains options it cannot accept', async () => {
    const far = await errorOf(
      alice.analysis.startDocumentAnalysis({ input: { text: 'x' }, runAt: new Date(Date.now() + 40 * 86_400_000).toISOString() }),
    );
    expect(far.message).toMatch(/runAt is at most 30 days ahead/);
    // webhookEndpointId: see webhooks.test.ts.
  });
});

describe('retention', () => {
  it('answers NOT_FOUND saying the job expired, before and after the sweep deletes it', async () => {
    await db.pool.query('DELETE FROM job');
    const jobId = await start();
    await failForGood(jobId);
    await db.pool.query(`UPDATE job SET expires_at = now() - interval '1 minute' WHERE id = $1`, [jobId]);
    const lapsed = await errorOf(alice.jobs.getJob({ jobId }));
    expect([lapsed.code, lapsed.message]).toEqual(['NOT_FOUND', expect.stringMatching(/expired on .*kept for a limited time/)]);

    expect(await sweepExpiredJobs(db.pool, { batchSize: 100, tombstoneMs: 3_600_000, unusedFileMs: 86_400_000 })).toBeGreaterThanOrEqual(1);
    expect(await db.prisma.job.findUnique({ where: { id: jobId } })).toBeNull();
    expect((await errorOf(alice.jobs.getJob({ jobId }))).message).toMatch(/expired on/);
    expect((await errorOf(bob.jobs.getJob({ jobId }))).message).toBe(`No job ${jobId}.`);
  });
});
