import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { cancelJob, claimJobs, enqueueJobs } from '@jobkit/queue';
import { createWorker, type Worker } from '@jobkit/worker';
import { endedJob, enqueue, silentLogger, waitFor } from '@jobkit/worker/testing';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry, workerMetrics } from '../src/index.ts';
import { observationsOf, parseMetrics, sampleOf } from '../src/testing.ts';
import { flaky, holding, quick } from './fixtures/handlers.ts';

const handlersModule = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;
let registry: Registry;
let worker: Worker;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
  registry = createMetricsRegistry();
  const metrics = workerMetrics(registry);
  worker = createWorker({
    database: db,
    handlersModule,
    concurrency: 2,
    // Short, so heartbeats come often and a dead worker's job is rescued soon.
    leaseMs: 1_500,
    rescueIntervalMs: 100,
    listenProbeIntervalMs: 1_000,
    logger: silentLogger,
    observer: metrics.observer,
  });
  metrics.watch(worker);
  await worker.start();
});
afterAll(async () => {
  await worker.stop({ graceMs: 0 });
  await db.drop();
});

const scrape = async () => parseMetrics(await registry.metrics());

/** Scrapes until `metric` with `labels` reaches `atLeast`; the bound is for a hang, and its error says what was awaited. */
async function untilSample(metric: string, labels: Record<string, string>, atLeast: number): Promise<void> {
  try {
    await waitFor(async () => (sampleOf(await scrape(), metric, labels) >= atLeast ? true : undefined), 30_000);
  } catch (error) {
    const now = sampleOf(await scrape(), metric, labels);
    throw new Error(`${metric}${JSON.stringify(labels)} stayed at ${now}, awaited ${atLeast} or more`, { cause: error });
  }
}

describe('the worker metrics', { timeout: 90_000 }, () => {
  it('count a completion, and the queue wait and run time of its kind', async () => {
    const before = await scrape();
    const [id] = await enqueue(db, quick, ownerId, [{ secret: 'sesame-quick' }]);
    expect((await endedJob(db, id)).status).toBe('completed');
    await untilSample('jobkit_jobs_completed_total', { kind: 'quick' }, 1);
    const after = await scrape();
    expect(sampleOf(after, 'jobkit_jobs_started_total', { kind: 'quick' })).toBe(sampleOf(before, 'jobkit_jobs_started_total', { kind: 'quick' }) + 1);
    expect(await observationsOf(registry, 'jobkit_job_queue_wait_seconds', { kind: 'quick' })).toBe(1);
    expect(await observationsOf(registry, 'jobkit_job_run_seconds', { kind: 'quick', end: 'completed' })).toBe(1);
    expect(sampleOf(after, 'jobkit_jobs_failed_total', { kind: 'quick' })).toBe(0);
  });

  it('count a failed attempt that is retried, then the one that used up the attempts', async () => {
    const [id] = await enqueue(db, flaky, ownerId, [{ secret: 'sesame-flaky' }]);
    expect((await endedJob(db, id)).status).toBe('failed');
    await untilSample('jobkit_jobs_failed_total', { kind: 'flaky' }, 1);
    const after = await scrape();
    expect(sampleOf(after, 'jobkit_jobs_started_total', { kind: 'flaky' })).toBe(2);
    expect(sampleOf(after, 'jobkit_jobs_retried_total', { kind: 'flaky' })).toBe(1);
    expect(sampleOf(after, 'jobkit_jobs_failed_total', { kind: 'flaky' })).toBe(1);
    expect(await observationsOf(registry, 'jobkit_job_run_seconds', { kind: 'flaky', end: 'retried' })).toBe(1);
    expect(await observationsOf(registry, 'jobkit_job_run_seconds', { kind: 'flaky', end: 'failed' })).toBe(1);
  });

  it('show a busy slot and extended leases while a job runs', async () => {
    const [id] = await enqueue(db, holding, ownerId, [{}]);
    await untilSample('jobkit_worker_slots_busy', {}, 1);
    await untilSample('jobkit_lease_extensions_total', {}, 1);
    expect(sampleOf(await scrape(), 'jobkit_lease_extension_failures_total')).toBe(0);
    await cancelJob(db.pool, id ?? '', holding.retentionMs);
    expect((await endedJob(db, id)).status).toBe('cancelled');
    await waitFor(async () => ((await observationsOf(registry, 'jobkit_job_run_seconds', { kind: 'holding', end: 'cancelled' })) === 1 ? true : undefined));
    expect(sampleOf(await scrape(), 'jobkit_worker_slots_busy')).toBe(0);
  });

  it('count a job rescued from a dead worker, by kind and the status it got', async () => {
    // A kind no worker here runs, claimed by a worker that died at once: its 1 ms lease lapses and
    // this worker's rescuer takes it back (this worker would have claimed one of its own kinds first).
    await enqueueJobs(db.pool, [{ kind: 'elsewhere', payloadVersion: 1, input: {}, ownerId, maxAttempts: 3 }]);
    expect(await claimJobs(db.pool, { workerId: 'dead-worker', kinds: ['elsewhere'], limit: 1, leaseMs: 1 })).toHaveLength(1);
    await untilSample('jobkit_jobs_rescued_total', { kind: 'elsewhere', status: 'queued' }, 1);
  });

  it('count a reconnect of the LISTEN connection', async () => {
    await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'jobkit-listen' AND datname = current_database()`);
    await untilSample('jobkit_listen_reconnects_total', {}, 1);
  });

  it('carry the process default metrics, and nothing of a job’s input', async () => {
    const text = await registry.metrics();
    const names = parseMetrics(text).map((family) => family.name);
    expect(names).toEqual(expect.arrayContaining(['jobkit_process_cpu_seconds_total', 'jobkit_nodejs_eventloop_lag_seconds']));
    expect(names.every((name) => name.startsWith('jobkit_'))).toBe(true);
    expect(text).not.toContain('sesame');
  });
});
