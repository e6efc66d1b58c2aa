/**
 * The analyses run on the engine as a deployment runs them: handler threads loading a handlers
 * module, jobs claimed from a real PostgreSQL, output checked by the kind's schema.
 */
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import type { WorkerOptions } from '@jobkit/worker';
import { endedJob, enqueue, waitFor, withWorker } from '@jobkit/worker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentAnalysis, llmAnalysis, maxDocumentLength } from '../src/contracts/index.ts';
import { longDocument } from './fixtures/documents/long-text.ts';

const handlersModule = new URL('./fixtures/handlers.ts', import.meta.url);
// Nothing listens on port 9 (discard) here: the connection is refused at once.
const unreachableProvider = 'http://127.0.0.1:9/v1';
let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
  // Handler threads take a copy of the environment when they start.
  Object.assign(process.env, { LLM_BASE_URL: unreachableProvider, LLM_API_KEY: 'test-key', LLM_MODEL: 'tiny-model' });
});
afterAll(async () => {
  await db.drop();
});

const withTestWorker = (options: Partial<WorkerOptions>, use: () => Promise<void>) =>
  withWorker({ database: db, handlersModule: handlersModule, concurrency: 2, ...options }, use);
const ended = (jobId: string | undefined) => endedJob(db, jobId);

describe('document analysis', () => {
  it('counts, finds keywords and summarises a real text', async () => {
    await withTestWorker({}, async () => {
    const text = [
      'Queues keep web requests fast. A queue stores work for later.',
      '',
      'Workers take jobs from the queue. Each worker runs one job at a time. Jobs report progress to the queue.',
      'The weather was pleasant.',
    ].join('\n');
    const [id] = await enqueue(db, documentAnalysis, ownerId, [{ text, summarySentences: 2 }]);
    const job = await waitFor(async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id } });
      return row.status === 'completed' ? row : row.status === 'failed' ? row : undefined;
    });
    const result = documentAnalysis.output.parse(job.result);
    expect(result).toMatchObject({ sentenceCount: 6, paragraphCount: 2, wordCount: 35, readingTimeMinutes: 1 });
    expect(result.topKeywords[0]).toMatchObject({ term: 'queue', count: 3 });
    expect(result.summary).toHaveLength(2);
    expect(result.summary.map((s) => s.sentence)).not.toContain('The weather was pleasant.');
    });
  });
});

describe('the document analysis of 500,000 characters', () => {
  it('stays under 200 MB more resident memory, its thread under a 128 MB heap ceiling', { timeout: 120_000 }, async () => {
    await withTestWorker({ handlerMemoryMb: 128 }, async () => {
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
        const base = (baseline / 2 ** 20).toFixed(0);
        console.log(`[memory] document analysis of ${maxDocumentLength} characters: peak RSS +${megabytes.toFixed(0)} MB over ${base} MB, ${result.wordCount} words`);
        expect(megabytes).toBeLessThan(200);
      } finally {
        clearInterval(sampler);
      }
    });
  });
});

describe('what a job’s owner reads of a failure', () => {
  it('does not name the language model’s address when it cannot be reached; the attempt does', async () => {
    await withTestWorker({}, async () => {
    const [jobId] = await enqueue(db, llmAnalysis, ownerId, [{ text: 'The customer pays every quarter.' }], { maxAttempts: 1 });
    const job = await ended(jobId);
    expect(job.error).toEqual({ code: 'LLM_UNREACHABLE', message: 'The language model could not be reached.' });
    expect(job.attempts[0]?.error).toMatchObject({ detail: expect.stringContaining(unreachableProvider) as unknown });
    });
  });
});
