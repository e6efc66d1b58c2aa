import { cancelJob } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker, type WorkerOptions } from '../src/index.ts';
import { echo, inlineWait, sleeper, stubborn } from './fixtures/handlers.ts';
import { capturedLog, enqueue, silentLogger, waitFor } from '../src/testing.ts';

/**
 * Jobs claimed ahead of free slots (the local queue). The slot of a one-slot worker is kept busy
 * by a `stubborn` job (first: higher priority), so the jobs claimed with it wait in the queue.
 */
const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;
const workers: Worker[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 10 });
  ownerId = await createTestUser(db);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 0 })));
  await db.pool.query('DELETE FROM job');
});
afterAll(() => db.drop());

async function startWorker(options: Partial<WorkerOptions> = {}): Promise<Worker> {
  const worker = createWorker({ database: db, handlersModule: fixtures, concurrency: 1, prefetch: 4, logger: silentLogger, ...options });
  workers.push(worker);
  await worker.start();
  return worker;
}

async function job(id: string) {
  return db.prisma.job.findUniqueOrThrow({ where: { id }, include: { attempts: { orderBy: { attempt: 'asc' } } } });
}

/** A bound for a hang, not a speed check (a CI run at load average 16 once passed 15 s); says where the job is. */
async function untilStatus(id: string, status: string, timeoutMs = 60_000) {
  return waitFor(async () => ((await job(id)).status === status ? true : undefined), timeoutMs).catch(async (error: unknown) => {
    const now = await job(id);
    throw new Error(`job ${id} (${now.kind}) is ${now.status}, attempt ${String(now.attempt)}, not ${status}: ${String(error)}`);
  });
}

/**
 * Quick jobs, so that the worker has seen this kind is short (it claims a kind ahead only then).
 * Inline ones: they stay well under a millisecond however busy the machine is.
 */
async function warmUp(count = 3): Promise<void> {
  const ids = await enqueue(db, inlineWait, ownerId, Array.from({ length: count }, () => ({ ms: 0, ignoreSignal: false })));
  await Promise.all(ids.map((id) => untilStatus(id, 'completed')));
}

/** The stubborn job takes the slot; the quick jobs are claimed with it and wait in the local queue. */
async function busyWithQueued(count: number, stubbornMs = 60_000): Promise<{ busy: string; queued: string[] }> {
  const [busy = ''] = await enqueue(db, stubborn, ownerId, [{ ms: stubbornMs }], { priority: 1 });
  const queued = await enqueue(db, inlineWait, ownerId, Array.from({ length: count }, () => ({ ms: 0, ignoreSignal: false })));
  await Promise.all([busy, ...queued].map((id) => untilStatus(id, 'running')));
  return { busy, queued };
}

describe('claiming ahead', () => {
  it('does not claim ahead before it has seen how long its jobs take', async () => {
    await startWorker();
    const [busy = ''] = await enqueue(db, stubborn, ownerId, [{ ms: 60_000 }], { priority: 1 });
    const [waiting = ''] = await enqueue(db, echo, ownerId, [{ n: 1 }]);
    await untilStatus(busy, 'running');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await job(waiting)).status).toBe('queued');
  });

  it('claims ahead only the kinds that have been quick here, not a slow kind after a burst of quick ones', async () => {
    await startWorker();
    const [slow = ''] = await enqueue(db, sleeper, ownerId, [{ ms: 300, steps: 1 }]);
    await untilStatus(slow, 'completed');
    // Enough quick jobs that one average over all kinds would call the worker's jobs quick.
    await warmUp(30);
    const [busy = ''] = await enqueue(db, stubborn, ownerId, [{ ms: 60_000 }], { priority: 1 });
    const slowOnes = await enqueue(db, sleeper, ownerId, [{ ms: 300, steps: 1 }, { ms: 300, steps: 1 }]);
    const [quick = ''] = await enqueue(db, inlineWait, ownerId, [{ ms: 0, ignoreSignal: false }]);
    await Promise.all([untilStatus(busy, 'running'), untilStatus(quick, 'running')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const id of slowOnes) expect((await job(id)).status).toBe('queued');
  });

  it('ends a cancelled job that has not started yet at once, leaving the running one alone', async () => {
    await startWorker();
    await warmUp();
    const { busy, queued } = await busyWithQueued(2);
    const [cancelled = '', next = ''] = queued;
    expect(await cancelJob(db.pool, cancelled, 60_000)).toEqual({ result: 'cancelling' });
    await untilStatus(cancelled, 'cancelled', 2_000);
    expect(await job(cancelled)).toMatchObject({ error: { code: 'CANCELLED' }, attempts: [{ outcome: 'cancelled' }] });
    expect((await job(busy)).status).toBe('running');
    expect((await job(next)).status).toBe('running');
  });

  it('gives the jobs it has not started back on stop(), their attempt not counted', async () => {
    const worker = await startWorker();
    await warmUp();
    const { busy, queued } = await busyWithQueued(3);
    await worker.stop({ graceMs: 0 });
    for (const id of [busy, ...queued]) {
      expect(await job(id)).toMatchObject({ status: 'queued', attempt: 1, lockedBy: null, result: null, attempts: [{ outcome: 'released' }] });
    }
    // inlineWait allows one attempt: the released one was given back to it.
    expect((await job(queued[0] ?? '')).maxAttempts).toBe(2);
  });

  it('extends the leases of the jobs it holds ahead, and drops one whose lease was lost without running it', async () => {
    const log = capturedLog();
    await startWorker({ leaseMs: 600, abandonAfterMs: 100, rescueIntervalMs: 100, logger: log.logger });
    await warmUp();
    // The stubborn job holds the slot for three leases: the queued jobs live on heartbeats alone.
    const { busy, queued } = await busyWithQueued(2, 2_000);
    const [lost = '', kept = ''] = queued;
    // As the rescuer would do to a job whose lease lapsed: the worker must learn it is not its own.
    await db.pool.query(`UPDATE job SET status = 'queued', locked_by = NULL, locked_until = NULL, run_at = now() + interval '1 hour' WHERE id = $1`, [lost]);
    await waitFor(() => Promise.resolve(log.messages().some((line) => line.includes(`job ${lost} lost its lease`)) ? true : undefined), 2_000);
    await Promise.all([untilStatus(busy, 'completed'), untilStatus(kept, 'completed')]);
    expect(await job(kept)).toMatchObject({ attempt: 1, attempts: [{ outcome: 'completed' }] });
    expect(await job(lost)).toMatchObject({ status: 'queued', result: null, attempts: [{ outcome: 'running' }] });
  });
});
