import { cancelJob } from '@jobkit/queue';
import { createTestDatabase, createTestUser, startTypeScriptProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../src/index.ts';
import { sleeper, stubborn } from './fixtures/handlers.ts';
import { enqueue, silentLogger, waitFor } from '../src/testing.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;
const processes: TestProcess[] = [];
const workers: Worker[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 10 });
  ownerId = await createTestUser(db);
});
// Every test leaves no worker behind: a survivor would claim the next test's jobs.
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 0 })));
  await Promise.all(processes.splice(0).map((child) => child.kill()));
});
afterAll(() => db.drop());

async function workerProcess(env: Record<string, string> = {}): Promise<TestProcess> {
  const child = startTypeScriptProcess('test/fixtures/worker-process.ts', { cwd: packageDir, env: { DATABASE_URL: db.url, HANDLERS: 'handlers.ts', ...env } });
  processes.push(child);
  await child.waitFor(/^ready /m);
  return child;
}

async function statusOf(id: string) {
  return (await db.prisma.job.findUniqueOrThrow({ where: { id } })).status;
}

async function untilStatus(id: string, status: string, timeoutMs = 15_000) {
  return waitFor(async () => ((await statusOf(id)) === status ? true : undefined), timeoutMs);
}

describe('cancellation across processes', () => {
  it('stops a running job in another process within a second, cooperative or not', async () => {
    const other = await workerProcess({ CONCURRENCY: '2' });
    const [cooperative] = await enqueue(db, sleeper, ownerId, [{ ms: 60_000, steps: 600 }]);
    // (Its kind's deadline is two minutes: only the cancellation can end it within this test.)
    const [unyielding] = await enqueue(db, stubborn, ownerId, [{ ms: 60_000 }]);
    await Promise.all([untilStatus(cooperative ?? '', 'running'), untilStatus(unyielding ?? '', 'running')]);

    for (const [label, id] of [['cooperates', cooperative ?? ''], ['ignores its signal', unyielding ?? '']] as const) {
      const requestedAt = performance.now();
      expect(await cancelJob(db.pool, id, 60_000)).toEqual({ result: 'cancelling' });
      await untilStatus(id, 'cancelled', 5_000);
      const stoppedAfterMs = performance.now() - requestedAt;
      console.log(`[cancel] handler that ${label}: cancelled in another process after ${stoppedAfterMs.toFixed(0)} ms`);
      // A handler that ignores its signal gets abandonAfterMs (500 ms), then its thread is stopped.
      expect(stoppedAfterMs).toBeLessThan(label === 'cooperates' ? 1000 : 1500);
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id }, include: { attempts: true } });
      expect(row.error).toMatchObject({ code: 'CANCELLED' });
      expect(row.attempts.map((a) => a.outcome)).toEqual(['cancelled']);
    }
    await other.kill('SIGTERM');
  });
});

describe('worker death', () => {
  it('runs a killed worker’s job again elsewhere within about one lease', async () => {
    const doomed = await workerProcess({ CONCURRENCY: '1', LEASE_MS: '1500' });
    // Long enough that it cannot finish before the kill, however slow the machine is today.
    const [id] = await enqueue(db, sleeper, ownerId, [{ ms: 60_000, steps: 600 }], { maxAttempts: 2 });
    await untilStatus(id ?? '', 'running');
    // The survivor is up before the death (it cannot take a job another worker holds), so what is
    // measured is the rescue, not its start-up.
    const survivor = createWorker({ database: db, handlersModule: fixtures, concurrency: 1, leaseMs: 1500, rescueIntervalMs: 200, logger: silentLogger });
    workers.push(survivor);
    await survivor.start();
    await doomed.kill('SIGKILL');
    const diedAt = Date.now();
    const attempts = await waitFor(async () => {
      const rows = await db.prisma.jobAttempt.findMany({ where: { jobId: id }, orderBy: { attempt: 'asc' } });
      return rows.length === 2 ? rows : undefined;
    }, 20_000);
    expect(attempts.map((a) => [a.outcome, a.workerId])).toEqual([
      ['lost', expect.not.stringMatching(survivor.id)],
      ['running', survivor.id],
    ]);
    const restartedAfterMs = (attempts[1]?.startedAt.getTime() ?? 0) - diedAt;
    expect(restartedAfterMs).toBeLessThan(1500 + 1000);
  });

  it('keeps extending the lease of a job that runs longer than one lease', async () => {
    const worker = createWorker({ database: db, handlersModule: fixtures, concurrency: 1, leaseMs: 600, abandonAfterMs: 100, rescueIntervalMs: 100, logger: silentLogger });
    workers.push(worker);
    await worker.start();
    const [id] = await enqueue(db, sleeper, ownerId, [{ ms: 1_500, steps: 3 }]);
    await untilStatus(id ?? '', 'completed');
    expect(await db.prisma.jobAttempt.count({ where: { jobId: id } })).toBe(1);
    await worker.stop();
  });
});

describe('graceful shutdown', () => {
  it('lets short jobs finish and releases long ones to the queue without using an attempt', async () => {
    const worker = createWorker({ database: db, handlersModule: fixtures, concurrency: 2, logger: silentLogger });
    workers.push(worker);
    await worker.start();
    const [short, long] = await enqueue(db, sleeper, ownerId, [
      { ms: 200, steps: 2 },
      { ms: 60_000, steps: 600 },
    ]);
    await Promise.all([untilStatus(short ?? '', 'running'), untilStatus(long ?? '', 'running')]);
    // A grace far longer than the short job and far shorter than the long one: on a loaded machine
    // the short job's 200 ms may stretch, and it must still end inside the grace (it did not at 500 ms).
    await worker.stop({ graceMs: 5_000 });
    expect(await statusOf(short ?? '')).toBe('completed');
    const released = await db.prisma.job.findUniqueOrThrow({ where: { id: long }, include: { attempts: true } });
    expect(released).toMatchObject({ status: 'queued', attempt: 1, maxAttempts: 2, lockedBy: null });
    expect(released.attempts.map((a) => a.outcome)).toEqual(['released']);
  });
});
