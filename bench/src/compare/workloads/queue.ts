import pg from 'pg';
import type { BenchConfig } from '../config.ts';
import { startWorkerProcesses, type WorkerProcesses } from '../children.ts';
import type { BenchPostgres } from '../postgres.ts';
import { percentile, sleep } from '../stats.ts';
import { wallClock, type Producer, type System, type WorkerSpec } from '../systems/types.ts';

export function workerSpec(system: System, url: string, config: BenchConfig): WorkerSpec {
  return {
    system: system.id,
    url,
    concurrency: config.concurrency,
    poolSize: config.poolSize,
    pgBossBatchSize: config.pgBossBatchSize,
    graphileLocalQueue: config.graphileLocalQueue,
    jobkitPrefetch: config.jobkitPrefetch,
  };
}

/** Jobs/s of sequential single enqueues, then of one call with `config.jobs` jobs; no workers running. */
export async function measureEnqueue(system: System, postgres: BenchPostgres, config: BenchConfig) {
  const url = await postgres.freshDatabase(system.family);
  const producer = await system.producer(url, config.poolSize);
  try {
    // Warm-up: open the connection, let each statement be parsed and planned once.
    for (let n = 0; n < 20; n++) await producer.addOne('noop', n);
    await producer.addMany(10);
    let started = performance.now();
    for (let n = 0; n < config.singleJobs; n++) await producer.addOne('noop', n);
    const single = config.singleJobs / ((performance.now() - started) / 1000);
    started = performance.now();
    await producer.addMany(config.jobs);
    const batch = config.jobs / ((performance.now() - started) / 1000);
    return { single, batch };
  } finally {
    await producer.close();
    await postgres.dropDatabase(url);
  }
}

/**
 * Waits until the database shows no unfinished job. Polls rarely while many remain and every few
 * milliseconds near the end, so the polling neither loads the database nor blurs the end time.
 */
async function waitUntilDrained(producer: Producer, total: number, since: number): Promise<void> {
  let lastChange = performance.now();
  let previous = total;
  for (;;) {
    const left = await producer.unfinished();
    const now = performance.now();
    if (left === 0) return;
    if (left !== previous) lastChange = now;
    if (now - lastChange > 60_000) throw new Error(`drain stalled: ${left} of ${total} jobs unfinished for 60 s`);
    previous = left;
    const rate = (total - left) / Math.max(1, now - since);
    const expectedMs = rate > 0 ? left / rate : 80;
    await sleep(Math.min(200, Math.max(3, expectedMs / 4)));
  }
}

async function analyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('ANALYZE');
  await client.end();
}

export interface DrainOptions {
  processes: number;
  /** Drain in this database (kept) rather than in a fresh copy of the system's template. */
  url?: string;
  /** Runs once the workers are idle and listening, just before the queue is filled. */
  beforeFill?: () => Promise<void>;
  /** Runs after the drain, while the worker processes are still up (and idle). */
  after?: (workers: WorkerProcesses, url: string) => Promise<void>;
}

/**
 * Jobs/s draining `config.jobs` no-op jobs. The worker processes start first and report once idle
 * and listening (start-up is not measured); then the whole batch is committed in one statement, so
 * the queue is full the moment any worker can see a job. Timed from that commit until the database
 * shows every job finished.
 */
export async function measureDrain(system: System, postgres: BenchPostgres, config: BenchConfig, options: DrainOptions) {
  const url = options.url ?? (await postgres.freshDatabase(system.family));
  const producer = await system.producer(url, 2);
  const workers = await startWorkerProcesses(options.processes, workerSpec(system, url, config), config.childNode);
  try {
    await options.beforeFill?.();
    await producer.addMany(config.jobs);
    const committed = performance.now();
    if (config.analyzeAfterFill) await analyze(url);
    await waitUntilDrained(producer, config.jobs, committed);
    const seconds = (performance.now() - committed) / 1000;
    const completed = await producer.completed();
    if (completed !== null && completed !== config.jobs) {
      throw new Error(`${system.id}: ${completed} of ${config.jobs} jobs completed; the others failed`);
    }
    await options.after?.(workers, url);
    return { jobsPerSecond: config.jobs / seconds, node: workers.node };
  } finally {
    await workers.stop();
    await producer.close();
    if (!options.url) await postgres.dropDatabase(url);
  }
}

/**
 * Pickup latency with idle workers: one probe job at a time, timed from just before the enqueue
 * call (so it includes the INSERT's own round trip, as graphile-worker's latency test does) to the
 * handler's first line, both on the machine's wall clock. The first samples warm up and are dropped.
 */
export async function measureLatency(workers: WorkerProcesses, url: string, system: System, config: BenchConfig) {
  const producer = await system.producer(url, 2);
  const waiting = new Map<number, (startedAt: number) => void>();
  workers.onProbe((key, startedAt) => waiting.get(key)?.(startedAt));
  const warmup = Math.min(20, Math.ceil(config.latencySamples / 5));
  const samples: number[] = [];
  try {
    for (let key = 0; key < warmup + config.latencySamples; key++) {
      const started = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`${system.id}: probe ${key} did not start within 30 s`));
        }, 30_000);
        waiting.set(key, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
      const enqueuedAt = wallClock();
      await producer.addOne('probe', key);
      const startedAt = await started;
      waiting.delete(key);
      if (key >= warmup) samples.push(startedAt - enqueuedAt);
      await sleep(config.latencyGapMs);
    }
  } finally {
    await producer.close();
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99), max: samples.at(-1) ?? Number.NaN };
}
