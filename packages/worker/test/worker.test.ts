import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../src/index.ts';
import { echo, failing, inlineWait, sleeper, spinner } from './fixtures/handlers.ts';
import { countByStatus, enqueue, silentLogger, waitFor } from '../src/testing.ts';

const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;
const workers: Worker[] = [];

function startWorker(options: Partial<Parameters<typeof createWorker>[0]> = {}): Promise<Worker> {
  const worker = createWorker({ database: db, handlersModule: fixtures, concurrency: 2, logger: silentLogger, ...options });
  workers.push(worker);
  return worker.start().then(() => worker);
}

async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
}

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 30 });
  ownerId = await createTestUser(db);
});
afterAll(async () => {
  await stopWorkers();
  await db.drop();
});

describe('worker', () => {
  it('runs handlers on threads and stores their validated output', async () => {
    await startWorker();
    const [id] = await enqueue(db, echo, ownerId, [{ n: 7 }]);
    const job = await waitFor(async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id } });
      return row.status === 'completed' ? row : undefined;
    });
    expect(job.result).toEqual({ n: 7, thread: true });
    await stopWorkers();
  });

  it('runs each of many jobs exactly once across competing worker processes', async () => {
    await Promise.all([startWorker({ concurrency: 4 }), startWorker({ concurrency: 4 })]);
    const ids = await enqueue(db, echo, ownerId, Array.from({ length: 300 }, (_, n) => ({ n })));
    await waitFor(async () => ((await countByStatus(db)).completed === ids.length + 1 ? true : undefined), 30_000);
    const attempts = await db.prisma.jobAttempt.groupBy({ by: ['jobId'], _count: { _all: true }, where: { jobId: { in: ids } } });
    expect(attempts).toHaveLength(ids.length);
    expect(attempts.every((row) => row._count._all === 1)).toBe(true);
    const perWorker = await db.prisma.jobAttempt.groupBy({ by: ['workerId'], where: { jobId: { in: ids } } });
    expect(perWorker).toHaveLength(2);
    await stopWorkers();
  });

  it('records throttled progress while a job runs', async () => {
    await startWorker({ progressIntervalMs: 50 });
    const [id] = await enqueue(db, sleeper, ownerId, [{ ms: 1200, steps: 4 }]);
    const midway = await waitFor(async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id } });
      return row.status === 'running' && row.progress > 0 && row.progress < 100 ? row : undefined;
    });
    expect(midway.progressMessage).toMatch(/^Step \d$/);
    expect(midway.progressData).toEqual({ step: midway.progress / 25 });
    const done = await waitFor(async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id } });
      return row.status === 'completed' ? row : undefined;
    });
    expect(done).toMatchObject({ progress: 100, result: { slept: 1200 } });
    expect(done.version).toBeGreaterThan(midway.version);
    await stopWorkers();
  });

  it('stops a handler that never yields at its timeout and frees the slot', async () => {
    await startWorker({ concurrency: 1, abandonAfterMs: 200 });
    const [stuck] = await enqueue(db, spinner, ownerId, [{ ms: 60_000 }]);
    const [after] = await enqueue(db, echo, ownerId, [{ n: 1 }]);
    const failed = await waitFor(async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: stuck }, include: { attempts: true } });
      return row.status === 'failed' ? row : undefined;
    });
    expect(failed.error).toMatchObject({ code: 'TIMEOUT' });
    expect(failed.attempts).toMatchObject([{ outcome: 'timed_out' }]);
    await waitFor(async () => ((await db.prisma.job.findUniqueOrThrow({ where: { id: after } })).status === 'completed' ? true : undefined));
    await stopWorkers();
  });

  it('retries an ordinary error but fails a non-retryable one at once', async () => {
    await startWorker();
    const [flaky, fatal] = await enqueue(db, failing, ownerId, [{ retryable: true }, { retryable: false }]);
    const rows = await waitFor(async () => {
      const found = await db.prisma.job.findMany({ where: { id: { in: [flaky ?? '', fatal ?? ''] } }, include: { attempts: true } });
      return found.every((row) => row.status === 'failed') ? found : undefined;
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    const flakyJob = byId.get(flaky ?? '');
    expect(flakyJob).toMatchObject({ attempt: 3, error: { code: 'HANDLER_ERROR', message: 'The job failed on an unexpected error.' } });
    // The error's own message is for admins: it is on each attempt.
    expect(flakyJob?.attempts.map((attempt) => attempt.error)).toEqual(
      Array.from({ length: 3 }, () => expect.objectContaining({ detail: 'flaky dependency' }) as unknown),
    );
    expect(byId.get(fatal ?? '')).toMatchObject({ attempt: 1, error: { code: 'UNREADABLE', message: 'The document cannot be read' } });
    await stopWorkers();
  });
});

describe('inline handlers', () => {
  it('runs an inline handler on the main thread, stopping it through its signal', async () => {
    await startWorker();
    const [quick, slow] = await enqueue(db, inlineWait, ownerId, [
      { ms: 10, ignoreSignal: false },
      { ms: 60_000, ignoreSignal: false },
    ]);
    const rows = await waitFor(async () => {
      const found = await db.prisma.job.findMany({ where: { id: { in: [quick ?? '', slow ?? ''] } }, include: { attempts: true } });
      return found.every((row) => row.status !== 'queued' && row.status !== 'running') ? found : undefined;
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(quick ?? '')).toMatchObject({ status: 'completed', result: { thread: false } });
    // Its deadline (300 ms) fired its signal: it stopped at once, long before it was abandoned.
    expect(byId.get(slow ?? '')).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' }, attempts: [{ outcome: 'timed_out' }] });
    const slowRow = byId.get(slow ?? '');
    expect((slowRow?.finishedAt?.getTime() ?? 0) - (slowRow?.startedAt?.getTime() ?? 0)).toBeLessThan(300 + 400);
    await stopWorkers();
  });

  it('ends the attempt of an inline handler that ignores its signal, and frees its slot', async () => {
    await startWorker({ concurrency: 1, abandonAfterMs: 200 });
    const [stuck] = await enqueue(db, inlineWait, ownerId, [{ ms: 30_000, ignoreSignal: true }]);
    const [after] = await enqueue(db, echo, ownerId, [{ n: 1 }]);
    const failed = await waitFor(async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: stuck }, include: { attempts: true } });
      return row.status === 'failed' ? row : undefined;
    });
    expect(failed).toMatchObject({ error: { code: 'TIMEOUT' }, attempts: [{ outcome: 'timed_out' }] });
    await waitFor(async () => ((await db.prisma.job.findUniqueOrThrow({ where: { id: after } })).status === 'completed' ? true : undefined));
    await stopWorkers();
  });
});

