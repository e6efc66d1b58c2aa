import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { documentAnalysis, maxDocumentLength } from '@jobkit/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlersModule } from '../src/handlers/index.ts';
import { createWorker, type Worker } from '../src/index.ts';
import { longDocument } from './fixtures/documents/long-text.ts';
import { echo, hog } from './fixtures/handlers.ts';
import { enqueue, waitFor } from './helpers.ts';

const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;
let worker: Worker;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
  worker = createWorker({ database: db, handlersModule: fixtures, concurrency: 1, handlerMemoryMb: 96, log: () => undefined });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  await db.drop();
});

async function ended(jobId: string | undefined) {
  return waitFor(async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId }, include: { attempts: true } });
    return row.status === 'queued' || row.status === 'running' ? undefined : row;
  }, 60_000);
}

describe('the heap ceiling of handler threads', () => {
  it('fails a handler that allocates without bound with OUT_OF_MEMORY, once, and runs the next job on a new thread', { timeout: 120_000 }, async () => {
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
    expect(next.status).toBe('completed');
    expect(next.result).toEqual({ n: 1, thread: true });
  });
});

describe('the document analysis of 500,000 characters', () => {
  it('stays under 200 MB more resident memory, its thread under a 128 MB heap ceiling', { timeout: 120_000 }, async () => {
    const analyses = createWorker({
      database: db,
      handlersModule: defaultHandlersModule,
      concurrency: 1,
      handlerMemoryMb: 128,
      log: () => undefined,
    });
    await analyses.start();
    const text = longDocument(maxDocumentLength);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      const [jobId] = await enqueue(db, documentAnalysis, ownerId, [{ text }]);
      const job = await ended(jobId);
      expect(job.error).toBeNull();
      const result = documentAnalysis.output.parse(job.result);
      expect(result.characterCount).toBe(maxDocumentLength);
      const megabytes = (peak - baseline) / 2 ** 20;
      console.log(`[memory] document analysis of ${maxDocumentLength} characters: peak RSS +${megabytes.toFixed(0)} MB over ${(baseline / 2 ** 20).toFixed(0)} MB, ${result.wordCount} words`);
      expect(megabytes).toBeLessThan(200);
    } finally {
      clearInterval(sampler);
      await analyses.stop();
    }
  });
});
