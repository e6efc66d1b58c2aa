import { trace } from '@opentelemetry/api';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { endedJob, withWorker } from '@jobkit/worker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { failOnPurpose } from './fixtures/traced-handlers.ts';

// No SDK is registered in this file's process: the path every deployment without tracing takes.
const handlersModule = new URL('./fixtures/traced-handlers.ts', import.meta.url).href;
// Generous, for a loaded machine: the test waits for three jobs' ends, up to 60 s each.
const testBoundMs = 240_000;

let db: TestDatabase;
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  const userId = await createTestUser(db);
  caller = createCaller(createInnerContext({ db, actor: { userId, role: 'user' } }));
});
afterAll(async () => {
  await db.drop();
});

describe('traces without an SDK', () => {
  it('record nothing: no trace context is stored with a job, and jobs run, complete and fail as ever', async () => {
    // The API's tracer is the no-op one: its spans do not record.
    expect(trace.getTracer('@jobkit/api').startSpan('probe').isRecording()).toBe(false);
    const one = await caller.analysis.startPiiScan({ input: { text: 'Nothing personal here.' } });
    const { jobs } = await caller.analysis.startMany({
      jobs: [
        { kind: 'piiScan', input: { text: failOnPurpose } },
        { kind: 'piiScan', input: { text: 'Fine.' } },
      ],
    });
    const jobIds = [one.jobId, ...jobs.map((job) => job.jobId)];
    await withWorker({ database: db, handlersModule }, async () => {
      const ended = await Promise.all(jobIds.map((jobId) => endedJob(db, jobId)));
      expect(ended.map((job) => job.status)).toEqual(['completed', 'failed', 'completed']);
      expect(ended.map((job) => job.error)).toEqual([null, expect.objectContaining({ code: 'TRACED_FAILURE' }), null]);
    });
    const { rows } = await db.pool.query<{ stored: number }>('SELECT count(*)::int AS stored FROM job WHERE id = ANY($1) AND trace_context IS NOT NULL', [jobIds]);
    expect(rows[0]?.stored).toBe(0);
  }, testBoundMs);
});
