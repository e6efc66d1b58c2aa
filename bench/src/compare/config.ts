import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { systemIds, type SystemId } from './systems/types.ts';

export const workloadNames = ['commit', 'enqueue', 'drain', 'http', 'watch'] as const;
export type Workload = (typeof workloadNames)[number];

/** Everything a run of `pnpm bench` is told, from the environment and two flags. */
export interface BenchConfig {
  smoke: boolean;
  /** BENCH_SYSTEMS: which systems to run (default all), e.g. `jobkit` while tuning ours. */
  systems: readonly SystemId[];
  /** BENCH_WORKLOADS: which workloads to run (default all): commit, enqueue, drain, http, watch. */
  workloads: readonly Workload[];
  /** Runs per measure; each figure is their median, with the spread. */
  runs: number;
  /**
   * BENCH_ANALYZE=1: ANALYZE right after filling the queue, inside the timed drain, for every system.
   * Off by default: a burst lands on stale statistics in real life too, and a claim query whose
   * plan then goes wrong is a finding (see the report of the first comparison).
   */
  analyzeAfterFill: boolean;
  /** Jobs per drain, and per batch insert. */
  jobs: number;
  /** Sequential single inserts timed per system. */
  singleJobs: number;
  latencySamples: number;
  /** Pause between latency samples, so every sample finds the workers idle. */
  latencyGapMs: number;
  /** Jobs running at once per worker process, the same for every system. */
  concurrency: number;
  /** PostgreSQL connections per worker process (pool), the same for every system. */
  poolSize: number;
  /** pg-boss fetches this many jobs per poll (its batching knob; see systems/pgboss.ts). */
  pgBossBatchSize: number;
  /** graphile-worker's local queue when batched (its perf page uses 500). */
  graphileLocalQueue: number;
  /** Our worker's prefetch (jobs claimed ahead): as many as graphile-worker's local queue holds. */
  jobkitPrefetch: number;
  httpSeconds: number;
  /** Jobs per `analysis.startMany` request. */
  startManySize: number;
  pollers: readonly number[];
  /** Distinct jobs the pollers (and the watchers) ask for, started over HTTP first; at most one each. */
  pollTargets: number;
  commitClients: number;
  commitSeconds: number;
  /** BENCH_WATCHERS: idle jobs.watchJob streams held open on one server, one measurement each. */
  watchers: readonly number[];
  /** BENCH_ACTIVE_WATCHERS: streams open while progress is written to their jobs, and during a drain. */
  activeWatchers: number;
  /**
   * BENCH_WATCH_SECONDS: the steady window over which the idle server's CPU is measured. At least
   * the keep-alive interval (10 s, packages/api/src/trpc.ts) holds one ping per stream.
   */
  watchSeconds: number;
  /** BENCH_WATCH_SAMPLES: progress writes timed to their events, one after another. */
  watchSamples: number;
  /** Node binary for every child process (workers, server, load generator). */
  childNode: string;
  out: string;
}

function listFrom<T extends string>(name: string, allowed: readonly T[]): T[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return [...allowed];
  const wanted = raw.split(',').map((value) => value.trim());
  const unknown = wanted.filter((value) => !allowed.some((known) => known === value));
  if (unknown.length > 0) throw new Error(`${name}: unknown ${unknown.join(', ')}; choose from ${allowed.join(', ')}`);
  return allowed.filter((known) => wanted.includes(known));
}

function wholeNumbersFrom(name: string, fallback: string): number[] {
  const raw = process.env[name] ?? fallback;
  const values = raw.split(',').map((value) => Number(value.trim()));
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) throw new Error(`${name} must be positive whole numbers, comma-separated, got "${raw}"`);
  return values;
}

function numberFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

export function readConfig(argv: readonly string[] = process.argv.slice(2)): BenchConfig {
  const smoke = argv.includes('--smoke') || ['1', 'true'].includes(process.env.BENCH_SMOKE ?? '');
  const outFlag = argv.indexOf('--out');
  const defaultOut = fileURLToPath(new URL('../../results/latest.json', import.meta.url));
  // Ten at once per process is graphile-worker's own perf-test setting; ours then runs ten threads.
  const concurrency = Math.round(numberFrom('BENCH_CONCURRENCY', smoke ? 2 : 10));
  const graphileLocalQueue = Math.round(numberFrom('BENCH_GRAPHILE_LOCAL_QUEUE', smoke ? 50 : 500));
  return {
    smoke,
    systems: listFrom('BENCH_SYSTEMS', systemIds),
    analyzeAfterFill: ['1', 'true'].includes(process.env.BENCH_ANALYZE ?? ''),
    workloads: listFrom('BENCH_WORKLOADS', workloadNames),
    runs: Math.round(numberFrom('BENCH_RUNS', smoke ? 1 : 3)),
    jobs: Math.round(numberFrom('BENCH_JOBS', smoke ? 300 : 20_000)),
    singleJobs: Math.round(numberFrom('BENCH_SINGLE_JOBS', smoke ? 50 : 2_000)),
    latencySamples: Math.round(numberFrom('BENCH_LATENCY_SAMPLES', smoke ? 20 : 500)),
    latencyGapMs: numberFrom('BENCH_LATENCY_GAP_MS', smoke ? 5 : 10),
    concurrency,
    // graphile-worker's advice: 10 or concurrency + 2, whichever is larger. Applied to all three.
    poolSize: Math.round(numberFrom('BENCH_POOL', Math.max(10, concurrency + 2))),
    graphileLocalQueue,
    jobkitPrefetch: Math.round(numberFrom('BENCH_JOBKIT_PREFETCH', graphileLocalQueue)),
    // pg-boss's best on this machine: 200 per fetch drained ~11-13k jobs/s where 50 (as many jobs
    // held as graphile-worker's local queue of 500) drained ~7k. Best settings for each, as asked.
    pgBossBatchSize: Math.round(numberFrom('BENCH_PGBOSS_BATCH', smoke ? 10 : 200)),
    // 3 s in the smoke run: on a loaded CI machine 50 pollers' first answers took over a second,
    // and a one-second window counted none.
    httpSeconds: numberFrom('BENCH_HTTP_SECONDS', smoke ? 3 : 5),
    startManySize: Math.round(numberFrom('BENCH_START_MANY', smoke ? 10 : 100)),
    // The smoke run polls with few connections: 500 of them for one second on a machine busy with
    // other tests may not see a single answer, and the smoke checks the harness, not the server.
    pollers: wholeNumbersFrom('BENCH_POLLERS', smoke ? '10,50' : '100,500'),
    pollTargets: Math.round(numberFrom('BENCH_POLL_TARGETS', smoke ? 20 : 500)),
    commitClients: Math.round(numberFrom('BENCH_COMMIT_CLIENTS', Math.max(8, 4 * availableParallelism()))),
    commitSeconds: numberFrom('BENCH_COMMIT_SECONDS', smoke ? 0.5 : 5),
    watchers: wholeNumbersFrom('BENCH_WATCHERS', smoke ? '20' : '1000,10000'),
    activeWatchers: Math.round(numberFrom('BENCH_ACTIVE_WATCHERS', smoke ? 20 : 1_000)),
    watchSeconds: numberFrom('BENCH_WATCH_SECONDS', smoke ? 1 : 10),
    watchSamples: Math.round(numberFrom('BENCH_WATCH_SAMPLES', smoke ? 20 : 500)),
    childNode: process.env.BENCH_NODE ?? process.execPath,
    out: outFlag >= 0 ? (argv[outFlag + 1] ?? defaultOut) : (process.env.BENCH_OUT ?? defaultOut),
  };
}
