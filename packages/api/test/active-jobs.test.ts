import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';
import { runningJob } from './running-job.ts';

let db: TestDatabase;
let alice: ReturnType<typeof createCaller>;
let bob: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  alice = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
  bob = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
});
afterAll(() => db.drop());

describe('jobs.activeJobs', () => {
  it('lists the caller’s queued and running analyses, newest first, and nobody else’s', async () => {
    const running = await runningJob(db, alice);
    const cancelled = await alice.analysis.startDocumentAnalysis({ input: { text: 'Cancelled at once.' } });
    await alice.jobs.cancelJob({ jobId: cancelled.jobId });
    const queued = await alice.analysis.startCallTranscriptAnalysis({ input: { transcript: 'Ann: Hello?' } });
    await bob.analysis.startDocumentAnalysis({ input: { text: 'Bob’s own.' } });

    const active = await alice.jobs.activeJobs();
    expect(active.total).toBe(2);
    expect(active.jobs.map((job) => [job.id, job.status, job.title])).toEqual([
      [queued.jobId, 'queued', 'Call transcript analysis'],
      [running.jobId, 'running', 'Document analysis'],
    ]);
    expect((await bob.jobs.activeJobs()).jobs.map((job) => job.status)).toEqual(['queued']);
  });

  it('requires a caller', async () => {
    const anonymous = createCaller(createInnerContext({ db, actor: null }));
    expect((await errorOf(anonymous.jobs.activeJobs())).code).toBe('UNAUTHORIZED');
  });
});
