/**
 * Fault scenarios around a worker's leases: a deploy (SIGTERM with a grace longer than the lease)
 * and a worker cut off from the database (self-fencing). Each prints a `[fault]` line of figures.
 */
import { createTestDatabase, createTestUser, startTypeScriptProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createWorker, type Worker } from '../src/index.ts';
import { startCuttableProxy } from './cuttable-proxy.ts';
import { pause } from './fixtures/durability-handlers.ts';
import { tickingSpinner } from './fixtures/fencing-handlers.ts';
import { enqueue, silentLogger, waitFor } from '../src/testing.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const durabilityHandlers = new URL('./fixtures/durability-handlers.ts', import.meta.url);
const fencingHandlers = new URL('./fixtures/fencing-handlers.ts', import.meta.url);
const leaseMs = 2_000;
let db: TestDatabase;
let ownerId: string;
let scratch: string;
const processes: TestProcess[] = [];
const workers: Worker[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 6 });
  ownerId = await createTestUser(db);
  scratch = await mkdtemp(join(tmpdir(), 'jobkit-deploys-'));
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((child) => child.kill()));
  await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 0 })));
});
afterAll(async () => {
  await db.drop();
  await rm(scratch, { recursive: true, force: true });
});

async function workerProcess(env: Record<string, string>): Promise<{ child: TestProcess; workerId: string }> {
  const child = startTypeScriptProcess('test/fixtures/worker-process.ts', {
    cwd: packageDir,
    env: { DATABASE_URL: db.url, HANDLERS: 'durability-handlers.ts', LEASE_MS: String(leaseMs), RESCUE_INTERVAL_MS: '250', ...env },
  });
  processes.push(child);
  const [, workerId = ''] = await child.waitFor(/^ready (\S+)/m);
  return { child, workerId };
}

/** The other worker of the fleet, started once the first holds the jobs, with a quick rescuer. */
async function otherWorker(handlersModule: URL): Promise<Worker> {
  const worker = createWorker({ database: db, handlersModule, concurrency: 4, leaseMs, rescueIntervalMs: 250, logger: silentLogger });
  workers.push(worker);
  await worker.start();
  return worker;
}

const attemptsOf = (ids: readonly string[]) =>
  db.prisma.jobAttempt.findMany({ where: { jobId: { in: [...ids] } }, orderBy: [{ jobId: 'asc' }, { attempt: 'asc' }] });

async function untilRunningOn(ids: readonly string[], workerId: string): Promise<void> {
  await waitFor(async () => {
    const running = await db.prisma.job.count({ where: { id: { in: [...ids] }, status: 'running', lockedBy: workerId } });
    return running === ids.length ? true : undefined;
  }, 60_000);
}

it('SIGTERM with a grace longer than the lease: the running jobs finish where they are, none rerun elsewhere', async () => {
  const graceMs = 4 * leaseMs;
  const { child, workerId } = await workerProcess({ CONCURRENCY: '4', SHUTDOWN_GRACE_MS: String(graceMs) });
  // Longer than two leases, shorter than the grace.
  const ids = await enqueue(db, pause, ownerId, Array.from({ length: 4 }, () => ({ ms: 3 * leaseMs })));
  await untilRunningOn(ids, workerId);
  await otherWorker(durabilityHandlers);
  const signalledAt = Date.now();
  await child.kill('SIGTERM');
  const exitedAfterMs = Date.now() - signalledAt;
  const attempts = await attemptsOf(ids);
  const jobs = await db.prisma.job.findMany({ where: { id: { in: ids } } });
  const elsewhere = attempts.filter((attempt) => attempt.workerId !== workerId);
  const lost = jobs.filter((job) => job.status !== 'completed');
  console.log(
    `[fault] SIGTERM, grace ${graceMs} ms > lease ${leaseMs} ms: ${ids.length} jobs running; lost ${lost.length}, ` +
      `rerun elsewhere ${elsewhere.length}, attempts ${attempts.length}; the worker exited ${exitedAfterMs} ms after SIGTERM`,
  );
  expect(elsewhere).toEqual([]);
  expect(lost).toEqual([]);
  expect(attempts.map((attempt) => attempt.outcome)).toEqual(ids.map(() => 'completed'));
  // The start-up check said what a grace longer than the lease needs.
  expect(child.output()).toMatch(/shutdown grace \(8000 ms\) is longer than the lease \(2000 ms\): safe/);
}, 120_000);

it('cut off from the database for twice the lease: its handler is stopped before the lease lapses, never two attempts at once', async () => {
  const proxy = await startCuttableProxy(Number(new URL(db.url).port));
  try {
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const { workerId } = await workerProcess({
      DATABASE_URL: viaProxy.toString(),
      CONCURRENCY: '1',
      ABANDON_AFTER_MS: '300',
      HANDLERS: 'fencing-handlers.ts',
    });
    const tickFile = join(scratch, 'ticks');
    const [id = ''] = await enqueue(db, tickingSpinner, ownerId, [{ ms: 60_000, tickFile }]);
    await untilRunningOn([id], workerId);
    await otherWorker(fencingHandlers);
    await sleep(leaseMs / 2);
    proxy.cut();
    const cutAt = Date.now();
    // A heartbeat in flight at the cut may still have landed: the lease as it stands once none can.
    await sleep(200);
    const { lockedUntil } = await db.prisma.job.findUniqueOrThrow({ where: { id }, select: { lockedUntil: true } });
    const lapsesAt = lockedUntil?.getTime() ?? 0;
    await sleep(2 * leaseMs - 200);
    proxy.restore();
    const job = await waitFor(async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id } });
      return row.status === 'completed' ? row : undefined;
    }, 60_000);
    const [first, second] = await attemptsOf([id]);
    const ticks = (await readFile(tickFile, 'utf8')).trim().split('\n').map((line) => Number(line.split(' ')[1]));
    const lastTick = Math.max(...ticks);
    const secondStartedAt = second?.startedAt.getTime() ?? 0;
    console.log(
      `[fault] database unreachable for ${2 * leaseMs} ms (lease ${leaseMs} ms): 1 job; the handler's last sign of life ` +
        `${lastTick - cutAt} ms after the cut, ${lapsesAt - lastTick} ms before its lease lapsed, ${secondStartedAt - lastTick} ms before the next attempt started elsewhere ` +
        `(${secondStartedAt - cutAt} ms after the cut); attempts ${[first?.outcome, second?.outcome].join(', ')}; overlapping attempts ${lastTick >= secondStartedAt ? 1 : 0}`,
    );
    expect(job.attempt).toBe(2);
    expect(first?.workerId).toBe(workerId);
    expect(second?.workerId).not.toBe(workerId);
    expect(lastTick).toBeLessThan(lapsesAt);
    expect(lastTick).toBeLessThan(secondStartedAt);
  } finally {
    await proxy.close();
  }
}, 120_000);
