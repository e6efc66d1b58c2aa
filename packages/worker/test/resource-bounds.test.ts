import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerOptions } from '../src/index.ts';
import { brief, echo, hog, sleeper } from './fixtures/handlers.ts';
import { endedJob, enqueue, waitFor, withWorker } from '../src/testing.ts';

const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
});
afterAll(async () => {
  await db.drop();
});

const withTestWorker = (options: Partial<WorkerOptions>, use: () => Promise<void>) =>
  withWorker({ database: db, handlersModule: fixtures, concurrency: 1, ...options }, use);
const ended = (jobId: string | undefined) => endedJob(db, jobId);

describe('the heap ceiling of handler threads', () => {
  it('fails a handler that allocates without bound with OUT_OF_MEMORY, once, and runs the next job on a new thread', { timeout: 120_000 }, async () => {
    await withTestWorker({ handlerMemoryMb: 96 }, async () => {
      const [hogId] = await enqueue(db, hog, ownerId, [{}]);
      const job = await ended(hogId);
      expect(job.status).toBe('failed');
      expect(job.error).toEqual({
        code: 'OUT_OF_MEMORY',
        message: 'The analysis needed more than 96 MB of memory and was stopped; a smaller input may fit.',
      });
      // Not retried, although the kind allows 3 attempts: the same input needs the same memory.
      expect(job.attempts).toHaveLength(1);

      const [echoId] = await enqueue(db, echo, ownerId, [{ n: 1 }]);
      const next = await ended(echoId);
      // Status, error and attempts together, so a failure says why the next job did not complete.
      expect({ status: next.status, error: next.error, attempts: next.attempts.length }).toEqual({ status: 'completed', error: null, attempts: 1 });
      expect(next.result).toEqual({ n: 1, thread: true });
    });
  });

  it('counts a job’s deadline from its handler’s start, not from the wait for a replacement thread', { timeout: 120_000 }, async () => {
    await withTestWorker({ handlerMemoryMb: 96 }, async () => {
      const [hogId] = await enqueue(db, hog, ownerId, [{}]);
      // Queued while the hog runs, so it waits for the thread that replaces the hog's, which takes
      // longer to start (a TypeScript loader, the handlers module) than this job's 300 ms deadline.
      const [briefId] = await enqueue(db, brief, ownerId, [{}]);
      expect((await ended(hogId)).error).toMatchObject({ code: 'OUT_OF_MEMORY' });
      const next = await ended(briefId);
      expect({ status: next.status, error: next.error }).toEqual({ status: 'completed', error: null });
    });
  });
});

describe('fair shares of the handler slots', () => {
  it('gives every slot to a lone user, and the next free one to another user ahead of that backlog', { timeout: 120_000 }, async () => {
    // Three slots and a share of two (the apps' default: all but one).
    await withTestWorker({ concurrency: 3, fairSharePerUser: 2 }, async () => {
      const otherOwner = await createTestUser(db);
      // The first slot comes free well before the other two, so the user still has two running
      // (its share) when it does: the share, not the race between ends, decides who is next.
      const durations = [2_000, 8_000, 8_000, 3_000, 3_000, 3_000];
      const slow = await enqueue(db, sleeper, ownerId, durations.map((ms) => ({ ms, steps: 1 })));
      const running = () => db.prisma.job.count({ where: { id: { in: slow }, status: 'running' } });
      // Alone, the user gets all three slots: a share orders who goes first, it never idles a slot.
      await waitFor(async () => ((await running()) === 3 ? true : undefined));
      const [quick] = await enqueue(db, sleeper, otherOwner, [{ ms: 10, steps: 1 }]);
      const quickJob = await ended(quick);
      expect(quickJob.status).toBe('completed');
      // The first slot to come free went to the other user, before any of the backlog queued ahead.
      const backlog = await db.prisma.job.findMany({ where: { id: { in: slow.slice(3) } }, select: { startedAt: true } });
      const quickStart = quickJob.startedAt?.getTime() ?? Infinity;
      for (const { startedAt } of backlog) expect(startedAt === null || startedAt.getTime() >= quickStart).toBe(true);
    });
  });
});

