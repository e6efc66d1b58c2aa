import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../src/index.ts';
import { leaky, unstorable } from './fixtures/handlers.ts';
import { enqueue, silentLogger, waitFor } from '../src/testing.ts';

let db: TestDatabase;
let ownerId: string;
const workers: Worker[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
  const worker = createWorker({ database: db, handlersModule: new URL('./fixtures/handlers.ts', import.meta.url), concurrency: 1, logger: silentLogger });
  await worker.start();
  workers.push(worker);
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await db.drop();
});

async function ended(jobId: string | undefined) {
  return waitFor(async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId }, include: { attempts: true } });
    return row.status === 'queued' || row.status === 'running' ? undefined : row;
  }, 30_000);
}

describe('what a job’s owner reads of its failure', () => {
  it('says an unexpected error happened, and keeps its message (a file path) and stack for admins', async () => {
    const [jobId] = await enqueue(db, leaky, ownerId, [{}]);
    const job = await ended(jobId);
    expect(job.error).toEqual({ code: 'HANDLER_ERROR', message: 'The job failed on an unexpected error.' });
    const attemptError = JSON.stringify(job.attempts[0]?.error);
    expect(attemptError).toContain('/nonexistent/jobkit-secret.txt');
    expect(attemptError).toContain('"stack"');
  });

});

describe('what PostgreSQL cannot store', () => {
  // NUL dropped, each lone surrogate replaced by U+FFFD; the pair (an emoji) kept.
  const stored = 'ab \ufffd c\ufffd \ud83d\ude00';

  it('completes a job whose output and progress hold NUL and lone surrogates, storing them made well-formed', async () => {
    const [jobId] = await enqueue(db, unstorable, ownerId, [{ fail: false }]);
    const job = await ended(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    expect(job.result).toEqual({ text: stored, byName: { [stored]: stored } });
    expect(job.progressMessage).toBe(stored);
    expect(job.progressData).toEqual({ note: stored });
  });

  it('fails a job whose failure message holds them, rather than leaving it running', async () => {
    const [jobId] = await enqueue(db, unstorable, ownerId, [{ fail: true }]);
    const job = await ended(jobId);
    expect(job.error).toEqual({ code: 'UNREADABLE', message: `Cannot read ${stored}` });
  });
});
