/**
 * `pnpm bench`: measures the path this product exists for, on one machine:
 *  1. the start mutation's round trip (tRPC caller, real database), and the latency from the
 *     enqueue (the same INSERT) to the handler starting on a worker thread, with idle workers;
 *  2. worker throughput on no-op jobs drained from a full queue, at 1 and 2 worker instances.
 * Uses the embedded PostgreSQL in a temporary folder, or a fresh database on DATABASE_URL's server.
 */
import { createCaller, createInnerContext } from '@jobkit/api';
import { applyMigrations, enqueueJobs, openDatabase, type Database } from '@jobkit/db';
import { createWorker, type Worker } from '@jobkit/worker';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { noop, probe } from './handlers.ts';
import { benchDatabase } from './database.ts';

const latencySamples = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200);
const throughputJobs = Number(process.env.BENCH_JOBS ?? 10_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? availableParallelism());
const handlersModule = new URL('./handlers.ts', import.meta.url);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function startWorkers(db: Database, count: number): Promise<Worker[]> {
  const workers = Array.from({ length: count }, () =>
    createWorker({ database: db, handlersModule, concurrency, log: (message) => { console.error(message); } }),
  );
  await Promise.all(workers.map((worker) => worker.start()));
  return workers;
}

async function measureLatency(db: Database, ownerId: string) {
  const caller = createCaller(createInnerContext({ db, actor: { userId: ownerId, role: 'user' } }));
  const workers = await startWorkers(db, 1);
  const mutationMs: number[] = [];
  const toHandlerMs: number[] = [];
  for (let n = 0; n < latencySamples; n++) {
    const started = performance.now();
    await caller.analysis.startDocumentAnalysis({ input: { text: `Sample ${n}. Short.` } });
    mutationMs.push(performance.now() - started);
    await sleep(10);
    // The same INSERT the mutation runs, for a kind whose handler reports when it started.
    const enqueuedAt = performance.timeOrigin + performance.now();
    const [job] = await enqueueJobs(db.pool, [{ kind: probe.kind, payloadVersion: 1, input: {}, ownerId, maxAttempts: 1 }]);
    const row = await waitForResult(db, job?.id ?? '');
    toHandlerMs.push(probe.output.parse(row).handlerStartedAt - enqueuedAt);
    await sleep(10);
  }
  await Promise.all(workers.map((worker) => worker.stop()));
  return { mutationMs: mutationMs.sort((a, b) => a - b), toHandlerMs: toHandlerMs.sort((a, b) => a - b) };
}

async function waitForResult(db: Database, jobId: string): Promise<unknown> {
  for (;;) {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId }, select: { status: true, result: true } });
    if (row.status === 'completed') return row.result;
    if (row.status === 'failed') throw new Error(`probe job ${jobId} failed`);
    await sleep(2);
  }
}

async function measureThroughput(db: Database, ownerId: string, workerCount: number): Promise<number> {
  await db.pool.query(`DELETE FROM job WHERE kind = 'noop'`);
  const jobs = Array.from({ length: throughputJobs }, (_, n) => ({
    kind: noop.kind, payloadVersion: noop.version, input: { n }, ownerId, maxAttempts: 1,
  }));
  await enqueueJobs(db.pool, jobs);
  const started = performance.now();
  const workers = await startWorkers(db, workerCount);
  for (;;) {
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM job WHERE kind = 'noop' AND status <> 'completed'`,
    );
    if (Number(rows[0]?.n) === 0) break;
    await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((worker) => worker.stop()));
  return throughputJobs / seconds;
}

const target = await benchDatabase();
try {
  await applyMigrations(target.url);
  const db = openDatabase(target.url, { maxConnections: 20 });
  const ownerId = uuidv7();
  await db.prisma.user.create({ data: { id: ownerId, email: `${ownerId}@bench.invalid`, name: 'Bench' } });

  const { mutationMs, toHandlerMs } = await measureLatency(db, ownerId);
  const single = await measureThroughput(db, ownerId, 1);
  const double = await measureThroughput(db, ownerId, 2);
  await db.close();

  const fmt = (n: number) => n.toFixed(1);
  console.log(`\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(`Database: ${target.description}; worker concurrency ${concurrency} per instance\n`);
  console.log(`| measure | p50 | p95 | p99 | max |`);
  console.log(`|---|---|---|---|---|`);
  for (const [name, values] of [
    [`start mutation, ms (${latencySamples} calls)`, mutationMs],
    ['enqueue commit to handler start on a thread, ms', toHandlerMs],
  ] as const) {
    console.log(`| ${name} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 95))} | ${fmt(percentile(values, 99))} | ${fmt(values.at(-1) ?? Number.NaN)} |`);
  }
  console.log(`\n| no-op jobs drained (${throughputJobs}) | jobs/s |`);
  console.log(`|---|---|`);
  console.log(`| 1 worker instance | ${Math.round(single)} |`);
  console.log(`| 2 worker instances | ${Math.round(double)} |`);
} finally {
  await target.dispose();
}
