/**
 * `pnpm --filter @jobkit/bench bench:statements`: what named prepared statements save on the two
 * hottest single-statement paths, a `getJob` poll (through the tRPC caller, no HTTP) and a single
 * enqueue. One connection, calls one after another, rounds alternating unnamed and named; prints
 * the calls per second and the CPU time of that connection's PostgreSQL backend per call, which a
 * busy machine disturbs less than the rate.
 */
import { createCaller, createInnerContext } from '@jobkit/api';
import { applyMigrations, openDatabase, type Database } from '@jobkit/db';
import { enqueueJobs } from '@jobkit/queue';
import { readFileSync } from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import { benchDatabase } from './database.ts';
import { median } from './timing.ts';

const calls = Number(process.env.BENCH_CALLS ?? 5_000);
const rounds = Number(process.env.BENCH_RUNS ?? 3);

/** User + system CPU of one process so far, in ms (/proc/<pid>/stat, 100 ticks a second). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return ((fields[11] ?? 0) + (fields[12] ?? 0)) * 10;
}

interface Measured {
  perSecond: number;
  backendMicrosPerCall: number;
}

async function measure(db: Database, call: (n: number) => Promise<unknown>): Promise<Measured> {
  const { rows } = await db.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = rows[0]?.pid ?? 0;
  for (let n = 0; n < 200; n++) await call(n); // warm up: plans cached, JIT-free paths hot
  const cpuBefore = cpuMs(pid);
  const began = performance.now();
  for (let n = 0; n < calls; n++) await call(n);
  const elapsedMs = performance.now() - began;
  return { perSecond: (calls * 1000) / elapsedMs, backendMicrosPerCall: ((cpuMs(pid) - cpuBefore) * 1000) / calls };
}

const target = await benchDatabase();
await applyMigrations(target.url);
const results: Record<string, { getJob: Measured[]; enqueue: Measured[] }> = { unnamed: { getJob: [], enqueue: [] }, named: { getJob: [], enqueue: [] } };
for (let round = 0; round < rounds; round++) {
  for (const [mode, preparedStatements] of [['unnamed', false], ['named', true]] as const) {
    // One connection: every call runs on the backend whose CPU is read.
    const db = openDatabase(target.url, { maxConnections: 1, preparedStatements });
    const ownerId = uuidv7();
    await db.prisma.user.create({ data: { id: ownerId, email: `${ownerId}@bench.invalid`, name: 'Statements' } });
    const caller = createCaller(createInnerContext({ db, actor: { userId: ownerId, role: 'user' } }));
    const { jobId } = await caller.analysis.startDocumentAnalysis({ input: { text: 'A short document.' } });
    const job = { kind: 'documentAnalysis', payloadVersion: 1, input: { text: 'A short document.' }, ownerId, maxAttempts: 3 };
    results[mode]?.getJob.push(await measure(db, () => caller.jobs.getJob({ jobId })));
    results[mode]?.enqueue.push(await measure(db, () => enqueueJobs(db.pool, [job])));
    await db.pool.query('DELETE FROM job WHERE owner_id = $1', [ownerId]);
    await db.close();
  }
}
await target.dispose();

const summary = (runs: Measured[]) =>
  `${Math.round(median(runs.map((run) => run.perSecond)))}/s (${runs.map((run) => Math.round(run.perSecond)).join(', ')}), ` +
  `backend CPU ${Math.round(median(runs.map((run) => run.backendMicrosPerCall)))} µs a call (${runs.map((run) => Math.round(run.backendMicrosPerCall)).join(', ')})`;
console.log(`${calls} calls a run, ${rounds} runs each, one connection (${target.description})`);
for (const [mode, measured] of Object.entries(results)) {
  console.log(`${mode}: getJob ${summary(measured.getJob)}; single enqueue ${summary(measured.enqueue)}`);
}
