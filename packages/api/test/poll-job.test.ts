import { completeJob, recordProgress } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';
import { runningJob } from './running-job.ts';

let db: TestDatabase;
let alice: ReturnType<typeof createCaller>;
let bob: ReturnType<typeof createCaller>;
let admin: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  alice = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
  bob = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
  admin = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'admin' } }));
});
afterAll(() => db.drop());

describe('jobs.pollJob', () => {
  it('answers only "unchanged" for the version the poller has, and the whole job at each new one', async () => {
    const ref = await runningJob(db, alice);
    const { jobId } = ref;
    const first = await alice.jobs.getJob({ jobId });
    expect(await alice.jobs.pollJob({ jobId, knownVersion: first.version })).toEqual({ changed: false, version: first.version });

    await recordProgress(db.pool, ref, { percent: 40, message: 'reading' });
    const progressed = await alice.jobs.pollJob({ jobId, knownVersion: first.version });
    expect(progressed).toEqual({ changed: true, job: await alice.jobs.getJob({ jobId }) });
    if (!progressed.changed) throw new Error('unreachable: checked above');
    expect(progressed.job).toMatchObject({ progress: 40, progressMessage: 'reading' });

    expect(await completeJob(db.pool, ref, { wordCount: 4 }, 60_000)).toBe(true);
    const completed = await alice.jobs.pollJob({ jobId, knownVersion: progressed.job.version });
    expect(completed).toMatchObject({ changed: true, job: { status: 'completed' } });
    // An older version the poller may have kept (another tab) is answered in full too.
    expect(await alice.jobs.pollJob({ jobId, knownVersion: 0 })).toEqual(completed);
  });

  it('is scoped exactly as getJob: another user’s job is NOT_FOUND whatever the version, an admin sees it', async () => {
    const { jobId } = await runningJob(db, alice);
    const { version } = await alice.jobs.getJob({ jobId });
    const refusedRead = await errorOf(bob.jobs.getJob({ jobId }));
    for (const knownVersion of [version, version + 1]) {
      const error = await errorOf(bob.jobs.pollJob({ jobId, knownVersion }));
      expect([error.code, error.message]).toEqual(['NOT_FOUND', refusedRead.message]);
    }
    expect(await admin.jobs.pollJob({ jobId, knownVersion: version })).toEqual({ changed: false, version });
  });

  it('refuses a version that is not a whole number with BAD_REQUEST and a sentence', async () => {
    const { jobId } = await runningJob(db, alice);
    const error = await errorOf(alice.jobs.pollJob({ jobId, knownVersion: 1.5 }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('knownVersion is the version of the snapshot you have');
  });
});
