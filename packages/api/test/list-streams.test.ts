import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { recordProgress } from '@jobkit/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeJobStream, createCaller, createInnerContext, jobStreamFor, type InnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';
import { runningJob } from './running-job.ts';

let db: TestDatabase;
let aliceContext: InnerContext;
let bobContext: InnerContext;
let adminContext: InnerContext;

beforeAll(async () => {
  db = await createTestDatabase();
  aliceContext = createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } });
  bobContext = createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } });
  adminContext = createInnerContext({ db, actor: { userId: await createTestUser(db, 'admin'), role: 'admin' } });
});
afterAll(async () => {
  await closeJobStream(db);
  await db.drop();
});

/** Each value the stream yields, in order; `stop` ends the subscription as a closed tab would. */
async function follow<T>(open: (signal: AbortSignal) => Promise<AsyncIterable<T>>) {
  const controller = new AbortController();
  const stream = (await open(controller.signal))[Symbol.asyncIterator]();
  return {
    async next(): Promise<T> {
      const step = await stream.next();
      if (step.done === true) throw new Error('the stream ended');
      return step.value;
    },
    // As a client that leaves: the signal ends a pending read, return() a generator paused at a yield.
    stop: async () => {
      controller.abort();
      await stream.return?.();
    },
  };
}

describe('jobs.watchActiveJobs', () => {
  it('sends the caller’s active jobs at once, then again as jobs start, progress and end', async () => {
    const alice = createCaller(aliceContext);
    const running = await runningJob(db, alice);
    const header = await follow((signal) => createCaller(aliceContext, { signal }).jobs.watchActiveJobs());
    try {
      expect(await header.next()).toMatchObject({ total: 1, jobs: [{ id: running.jobId, status: 'running', progress: 0 }] });

      await recordProgress(db.pool, running, { percent: 40, message: 'Reading' });
      expect(await header.next()).toMatchObject({ total: 1, jobs: [{ id: running.jobId, progress: 40, progressMessage: 'Reading' }] });

      // Started elsewhere (another device): an insert, announced to its owner.
      const started = await alice.analysis.startDocumentAnalysis({ input: { text: 'From another device.' } });
      expect((await header.next()).jobs.map((job) => job.id)).toEqual([started.jobId, running.jobId]);

      await alice.jobs.cancelJob({ jobId: started.jobId });
      expect((await header.next()).jobs.map((job) => job.id)).toEqual([running.jobId]);

      // Deleted (an admin, or retention): a delete, announced to its owner too.
      await db.pool.query('DELETE FROM job WHERE id = $1', [running.jobId]);
      expect(await header.next()).toEqual({ total: 0, jobs: [] });
    } finally {
      await header.stop();
    }
  });

  it('wakes only the owner’s streams: another user’s jobs are not announced to them', async () => {
    const hub = jobStreamFor(db);
    await hub.ready;
    const [alice, bob, carol] = [aliceContext, bobContext, adminContext].map((context) => hub.subscribeOwner(context.actor?.userId ?? ''));
    if (!alice || !bob || !carol) throw new Error('three subscriptions');
    try {
      // One LISTEN connection delivers in commit order: once Bob's tick came, Alice's came before it.
      await createCaller(aliceContext).analysis.startDocumentAnalysis({ input: { text: 'Alice’s.' } });
      await createCaller(bobContext).analysis.startDocumentAnalysis({ input: { text: 'Bob’s.' } });
      expect(await bob.next()).toBe(true);
      const alreadyAnswered = AbortSignal.abort();
      expect(await alice.next(alreadyAnswered)).toBe(true);
      expect(await carol.next(alreadyAnswered)).toBe(false);
      // Coalesced: one wake for however many changes came meanwhile, then nothing held.
      expect(await alice.next(alreadyAnswered)).toBe(false);
    } finally {
      for (const ticks of [alice, bob, carol]) ticks.close();
    }
  });
});

describe('admin.watchChanges', () => {
  it('ticks at once and after any user’s job changes, for admins only', async () => {
    const refused = await errorOf(follow((signal) => createCaller(aliceContext, { signal }).admin.watchChanges()).then((stream) => stream.next()));
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });

    const viewer = await follow((signal) => createCaller(adminContext, { signal }).admin.watchChanges());
    try {
      const first = await viewer.next();
      await createCaller(bobContext).analysis.startDocumentAnalysis({ input: { text: 'Any user’s job.' } });
      const second = await viewer.next();
      expect(Date.parse(second.changedAt)).toBeGreaterThanOrEqual(Date.parse(first.changedAt));
    } finally {
      await viewer.stop();
    }
  });
});

describe('live streams per user', () => {
  it('refuses a user’s streams past the limit with TOO_MANY_REQUESTS, and counts a closed one out', async () => {
    const userId = await createTestUser(db);
    const limited = createInnerContext({ db, actor: { userId, role: 'user' }, settings: { maxStreamsPerUser: 2 } });
    const { jobId } = await createCaller(limited).analysis.startDocumentAnalysis({ input: { text: 'Watched from many tabs.' } });
    const header = await follow((signal) => createCaller(limited, { signal }).jobs.watchActiveJobs());
    const page = await follow((signal) => createCaller(limited, { signal }).jobs.watchJob({ jobId }));
    await Promise.all([header.next(), page.next()]);

    const third = await errorOf(follow((signal) => createCaller(limited, { signal }).jobs.watchJob({ jobId })).then((stream) => stream.next()));
    expect(third).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringContaining('the limit is 2') as unknown });
    // Another user is not counted with this one.
    const others = await follow((signal) => createCaller(bobContext, { signal }).jobs.watchActiveJobs());
    await others.next();
    await others.stop();

    await header.stop();
    // Closing ends the subscription's generator, which gives its place back; a new stream fits again.
    await expect.poll(async () => {
      const again = await follow((signal) => createCaller(limited, { signal }).jobs.watchActiveJobs());
      try {
        return (await again.next()).total;
      } catch {
        return 'refused';
      } finally {
        await again.stop();
      }
    }).toBe(1);
    await page.stop();
  });
});
