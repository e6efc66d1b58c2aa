/**
 * Measures one worker process on no-op jobs: how fast it drains a backlog, and how soon, idle, it
 * starts a job after its enqueue. Runs its own embedded PostgreSQL in a temporary folder, and a
 * fresh database (copied from a migrated template) for every run, so runs do not inherit bloat.
 *
 *   node --import tsx scripts/drain.ts [--jobs 20000] [--concurrency 2,10] [--runs 3] [--samples 200]
 *     [--kind noop|noopInline] [--prefetch N] [--fair-share N] [--pool 10] [--skip-latency] [--drop-index name]...
 *     [--profile file.cpuprofile]   (the worker's main thread, during the drains only)
 *     [--statements named|unnamed]   (default named, as on the embedded database; see DATABASE_PREPARED_STATEMENTS)
 *
 * The machine may be shared: compare medians of several runs, not single runs.
 */
import { applyMigrations, databaseUrlFor, openDatabase, openPool, startEmbeddedPostgres, type Database } from '@jobkit/db';
import { enqueueJobs } from '@jobkit/queue';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createWorker } from '../src/index.ts';
import { noop } from './noop-handlers.ts';
import { postgresCpuMs, processCpuMs } from './process-cpu.ts';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '2,10' },
    runs: { type: 'string', default: '3' },
    samples: { type: 'string', default: '200' },
    kind: { type: 'string', default: noop.kind },
    pool: { type: 'string', default: '10' },
    prefetch: { type: 'string' },
    'fair-share': { type: 'string' },
    profile: { type: 'string' },
    'skip-latency': { type: 'boolean', default: false },
    statements: { type: 'string', default: 'named' },
    // Indexes to drop in each run's database before it starts, to see what maintaining them costs.
    'drop-index': { type: 'string', multiple: true, default: [] },
  },
});
const jobCount = Number(args.jobs);
const profiler = args.profile ? new Session() : undefined;
profiler?.connect();
await profiler?.post('Profiler.enable');
const handlersModule = new URL('./noop-handlers.ts', import.meta.url);

const dataDir = await mkdtemp(join(tmpdir(), 'jobkit-drain-'));
const server = await startEmbeddedPostgres({ dataDir });
const adminUrl = server.urlFor('postgres');
const adminPool = openPool(adminUrl, 1);
const template = 'drain_template';
await admin(`CREATE DATABASE ${template}`);
await applyMigrations(databaseUrlFor(adminUrl, template));
let databases = 0;

async function admin(sql: string): Promise<void> {
  await adminPool.query(sql);
}

async function withFreshDatabase<T>(use: (db: Database, ownerId: string) => Promise<T>): Promise<T> {
  const name = `drain_${++databases}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const db = openDatabase(databaseUrlFor(adminUrl, name), {
    maxConnections: Number(args.pool),
    preparedStatements: args.statements === 'named',
  });
  try {
    for (const index of args['drop-index']) {
      if (!/^\w+$/.test(index)) throw new Error(`Not an index name: ${index}`);
      await db.pool.query(`DROP INDEX ${index}`);
    }
    const ownerId = randomUUID();
    await db.prisma.user.create({ data: { id: ownerId, email: `${ownerId}@drain.invalid`, name: 'Drain' } });
    return await use(db, ownerId);
  } finally {
    await db.close();
    await admin(`DROP DATABASE ${name} WITH (FORCE)`);
  }
}

function startWorker(db: Database, concurrency: number) {
  const prefetch = args.prefetch === undefined ? {} : { prefetch: Number(args.prefetch) };
  const fairShare = args['fair-share'] === undefined ? {} : { fairSharePerUser: Number(args['fair-share']) };
  // Its log goes to standard error (the default logger), apart from the numbers printed here.
  return createWorker({ database: db, handlersModule, concurrency, ...prefetch, ...fairShare });
}

function enqueueNoops(db: Database, ownerId: string, count: number) {
  const job = { kind: args.kind, payloadVersion: noop.version, input: {}, ownerId, maxAttempts: noop.maxAttempts };
  return enqueueJobs(db.pool, Array.from({ length: count }, () => job));
}

interface Drain {
  jobsPerSecond: number;
  workerCpuMsPerJob: number;
  databaseCpuMsPerJob: number;
}

async function drain(concurrency: number): Promise<Drain> {
  return withFreshDatabase(async (db, ownerId) => {
    for (let enqueued = 0; enqueued < jobCount; enqueued += 1000) {
      await enqueueNoops(db, ownerId, Math.min(1000, jobCount - enqueued));
    }
    await db.pool.query('VACUUM ANALYZE job');
    await db.pool.query('CHECKPOINT');
    const worker = startWorker(db, concurrency);
    await worker.start();
    await profiler?.post('Profiler.start');
    const [workerCpu, databaseCpu] = [processCpuMs(), postgresCpuMs(dataDir)];
    const count = `SELECT count(*)::int AS n FROM job WHERE status = 'completed'`;
    while ((await db.pool.query<{ n: number }>(count)).rows[0]?.n !== jobCount) await sleep(100);
    const [workerMs, databaseMs] = [processCpuMs() - workerCpu, postgresCpuMs(dataDir) - databaseCpu];
    if (profiler && args.profile) {
      const { profile } = await profiler.post('Profiler.stop');
      await writeFile(args.profile, JSON.stringify(profile));
    }
    await worker.stop();
    // Timed by the database's own clock, from the first claim to the last completion, so that the
    // polling interval above does not blur it.
    const { rows } = await db.pool.query<{ ms: number }>(`
      SELECT extract(epoch FROM (SELECT max(finished_at) FROM job) - (SELECT min(started_at) FROM job_attempt)) * 1000 AS ms`);
    const ms = Number(rows[0]?.ms);
    return { jobsPerSecond: (jobCount * 1000) / ms, workerCpuMsPerJob: workerMs / jobCount, databaseCpuMsPerJob: databaseMs / jobCount };
  });
}

async function pickupLatencies(concurrency: number, samples: number): Promise<number[]> {
  return withFreshDatabase(async (db, ownerId) => {
    const worker = startWorker(db, concurrency);
    await worker.start();
    await sleep(500);
    const latencies: number[] = [];
    for (let sample = 0; sample < samples; sample++) {
      const enqueuedAt = performance.timeOrigin + performance.now();
      const [job] = await enqueueNoops(db, ownerId, 1);
      for (;;) {
        const { rows } = await db.pool.query<{ result: unknown }>(
          `SELECT result FROM job WHERE id = $1 AND status = 'completed'`,
          [job?.id],
        );
        const result = noop.output.safeParse(rows[0]?.result);
        if (result.success) {
          latencies.push(result.data.startedAt - enqueuedAt);
          break;
        }
        await sleep(2);
      }
      // Idle between samples, as a worker waiting for work is.
      await sleep(10 + Math.random() * 20);
    }
    await worker.stop();
    return latencies;
  });
}

const median = (values: readonly number[]): number => percentile(values, 50);
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
const fixed = (value: number, digits = 0): string => value.toFixed(digits);

try {
  console.log(`kind ${args.kind}, ${jobCount} jobs per drain, pool ${args.pool}, ${args.runs} runs` +
    (args['drop-index'].length ? `, without ${args['drop-index'].join(', ')}` : ''));
  for (const concurrency of args.concurrency.split(',').map(Number)) {
    const runs: Drain[] = [];
    for (let run = 0; run < Number(args.runs); run++) runs.push(await drain(concurrency));
    console.log(
      `concurrency ${concurrency}: drain ${runs.map((r) => fixed(r.jobsPerSecond)).join(', ')} jobs/s, ` +
        `median ${fixed(median(runs.map((r) => r.jobsPerSecond)))}; CPU per job: worker process ` +
        `${fixed(median(runs.map((r) => r.workerCpuMsPerJob)), 3)} ms, PostgreSQL ${fixed(median(runs.map((r) => r.databaseCpuMsPerJob)), 3)} ms`,
    );
    if (!args['skip-latency']) {
      const latencies = await pickupLatencies(concurrency, Number(args.samples));
      console.log(`concurrency ${concurrency}: pickup latency p50 ${fixed(percentile(latencies, 50), 1)} ms, p99 ${fixed(percentile(latencies, 99), 1)} ms`);
    }
  }
} finally {
  await adminPool.end();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
