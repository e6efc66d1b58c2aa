/**
 * The queues compared. Variants of one queue share its schema and enqueue path: ours with handlers
 * on the worker's main thread (as graphile-worker and pg-boss run theirs) and in handler threads.
 */
export const systemIds = ['jobkit', 'jobkit-threads', 'graphile', 'graphile-batched', 'pgboss'] as const;
export type SystemId = (typeof systemIds)[number];
export type Family = 'jobkit' | 'graphile' | 'pgboss';

/** What a worker child process is started with. */
export interface WorkerSpec {
  system: SystemId;
  url: string;
  concurrency: number;
  poolSize: number;
  pgBossBatchSize: number;
  graphileLocalQueue: number;
  jobkitPrefetch: number;
}

/** Called by a probe job's handler the moment it starts, on the shared wall clock. */
export type ProbeReport = (key: number, startedAt: number) => void;

export interface RunningWorker {
  stop(): Promise<void>;
}

/** The producer's side of one system, in the benchmark's own process. */
export interface Producer {
  /** One job per call: the path an API request takes. `probe` jobs report when their handler starts. */
  addOne(kind: 'noop' | 'probe', key: number): Promise<void>;
  /** `count` no-op jobs in one call (one transaction). */
  addMany(count: number): Promise<void>;
  /** Jobs not yet finished, read from the database. */
  unfinished(): Promise<number>;
  /** Jobs finished successfully, read from the database (graphile-worker deletes them: null). */
  completed(): Promise<number | null>;
  close(): Promise<void>;
}

export interface System {
  id: SystemId;
  family: Family;
  label: string;
  /** The settings that matter for the comparison, for the table's header. */
  describe(spec: Omit<WorkerSpec, 'system' | 'url'>): string;
  /** Installs the schema (and queue) into an empty database. */
  install(url: string): Promise<void>;
  producer(url: string, poolSize: number): Promise<Producer>;
  /** Runs in the worker child process; resolves once the worker is idle and listening. */
  startWorker(spec: WorkerSpec, report: ProbeReport): Promise<RunningWorker>;
}

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes and threads. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}
