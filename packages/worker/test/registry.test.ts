/**
 * The worker registry: each worker process is listed while it runs (host, pid, release, kinds,
 * concurrency, jobs running), removed when it stops, and swept when it falls silent.
 */
import { createTestDatabase, type TestDatabase } from '@jobkit/db/testing';
import { listWorkers, registerWorker, reportWorker, workerLapsedAfterMs } from '@jobkit/queue';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, workerReadiness, workerReportIntervalMs } from '../src/index.ts';
import { capturedLog } from '../src/testing.ts';

const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const identity = (id: string) => ({ id, host: 'elsewhere', pid: 1, version: 'v', kinds: ['echo'], concurrency: 1 });

describe('the worker registry', () => {
  it('lists two running workers with what they run, and neither after each stops', async () => {
    const workers = [2, 3].map((concurrency) => createWorker({ database: db, handlersModule: fixtures, concurrency, logger: capturedLog().logger }));
    for (const worker of workers) await worker.start();
    const listed = await listWorkers(db.pool);
    expect(listed.map((row) => row.id).sort()).toEqual(workers.map((worker) => worker.id).sort());
    const [first] = listed.filter((row) => row.id === workers[0]?.id);
    expect(first).toMatchObject({ host: hostname(), pid: process.pid, concurrency: 2, runningJobs: 0 });
    expect(first?.kinds).toContain('echo');
    // The release is the newest migration this build knows, e.g. 20261202175111_worker_registry.
    expect(first?.version).toMatch(/^\d{14}_[a-z0-9_]+$/);
    for (const worker of workers) await worker.stop();
    expect(await listWorkers(db.pool)).toEqual([]);
  });

  it('each report records the jobs running and sweeps workers silent for too long', async () => {
    await registerWorker(db.pool, identity('alive'));
    await registerWorker(db.pool, identity('gone'));
    await db.pool.query(`UPDATE worker_process SET last_seen_at = now() - $1 * interval '1 millisecond' WHERE id = 'gone'`, [workerLapsedAfterMs + 1_000]);
    expect((await listWorkers(db.pool)).map((row) => row.id)).toEqual(['alive']);
    expect(await reportWorker(db.pool, 'alive', 3)).toBe(true);
    const { rows } = await db.pool.query<{ id: string; running_jobs: number }>('SELECT id, running_jobs FROM worker_process');
    expect(rows).toEqual([{ id: 'alive', running_jobs: 3 }]);
  });

  it('tells a worker whose row was swept to register again', async () => {
    expect(await reportWorker(db.pool, 'never-registered', 0)).toBe(false);
  });
});

describe('a worker\'s readiness', () => {
  it('is ready once started while its database answers, and says why not otherwise', () => {
    const now = 1_000_000;
    expect(workerReadiness({ started: false, stopping: false, lastReportAt: null }, now)).toEqual({ ready: false, reason: 'starting' });
    expect(workerReadiness({ started: true, stopping: false, lastReportAt: now - workerReportIntervalMs }, now)).toEqual({ ready: true, reason: null });
    expect(workerReadiness({ started: true, stopping: false, lastReportAt: now - 4 * workerReportIntervalMs }, now)).toEqual({ ready: false, reason: 'its database has not answered for 20 s' });
    expect(workerReadiness({ started: true, stopping: true, lastReportAt: now }, now).ready).toBe(false);
  });

  it('reports a started worker ready, and not ready once it stops', async () => {
    const worker = createWorker({ database: db, handlersModule: fixtures, concurrency: 1, logger: capturedLog().logger });
    expect(worker.readiness().ready).toBe(false);
    await worker.start();
    expect(worker.readiness()).toEqual({ ready: true, reason: null });
    await worker.stop();
    expect(worker.readiness()).toMatchObject({ ready: false, reason: expect.stringContaining('stopping') as unknown });
  });
});
