import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../src/index.ts';
import { echo, failing } from './fixtures/handlers.ts';
import { capturedLog, endedJob, enqueue, type LogLine } from '../src/testing.ts';

const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
});
afterAll(() => db.drop());

/** Runs the jobs on a worker that logs at `debug` into memory, until each has ended. */
async function logOf(run: () => Promise<string[]>): Promise<{ lines: LogLine[]; workerId: string; jobIds: string[] }> {
  const log = capturedLog('debug');
  const worker = createWorker({ database: db, handlersModule: fixtures, concurrency: 1, logger: log.logger });
  await worker.start();
  try {
    const jobIds = await run();
    for (const id of jobIds) await endedJob(db, id);
    return { lines: log.lines, workerId: worker.id, jobIds };
  } finally {
    await worker.stop({ graceMs: 0 });
  }
}

const aboutJob = (lines: LogLine[], jobId: string | undefined) => lines.filter((line) => line.jobId === jobId);

describe('the worker log', () => {
  it('is JSON lines, each line about a job carrying its id, kind, attempt and the worker id; a completion is debug', async () => {
    const { lines, workerId, jobIds } = await logOf(() => enqueue(db, echo, ownerId, [{ n: 1 }]));
    const [jobId] = jobIds;
    expect(aboutJob(lines, jobId)).toEqual([
      expect.objectContaining({ level: 'debug', msg: 'job started', jobId, kind: 'echo', attempt: 1, workerId }),
      expect.objectContaining({ level: 'debug', msg: 'job completed', jobId, kind: 'echo', attempt: 1, workerId }),
    ]);
    // Nothing of the job's input or result is logged.
    expect(JSON.stringify(aboutJob(lines, jobId))).not.toContain('"n":1');
  });

  it('logs a failure that will be retried as warn, and the attempt that used up the last one as error', async () => {
    const { lines, workerId, jobIds } = await logOf(() => enqueue(db, failing, ownerId, [{ retryable: true }]));
    const [jobId] = jobIds;
    const ends = aboutJob(lines, jobId).filter((line) => line.msg !== 'job started');
    expect(ends).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'attempt failed: the job will be tried again',
        kind: 'failing',
        attempt: 1,
        workerId,
        code: 'HANDLER_ERROR',
        stack: expect.stringContaining('flaky dependency') as unknown,
      }),
      expect.objectContaining({ level: 'warn', msg: 'attempt failed: the job will be tried again', attempt: 2 }),
      expect.objectContaining({ level: 'error', msg: 'job failed: it used up its attempts', attempt: 3, workerId }),
    ]);
  });

  it('logs a failure that may not be retried as error at once', async () => {
    const { lines, jobIds } = await logOf(() => enqueue(db, failing, ownerId, [{ retryable: false }]));
    expect(aboutJob(lines, jobIds[0]).filter((line) => line.level !== 'debug')).toEqual([
      expect.objectContaining({ level: 'error', msg: 'job failed: its failure is not retryable', attempt: 1, code: 'UNREADABLE' }),
    ]);
  });
});
