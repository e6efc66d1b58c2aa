import type { Database } from '@jobkit/db';
import { availableParallelism } from 'node:os';
import { checkLeaseTiming } from './lease-timing.ts';
import { defaultWorkerLogger, type WorkerLogger } from './logger.ts';
import { unobserved, type WorkerObserver } from './observer.ts';

export interface WorkerOptions {
  database: Database;
  /**
   * URL of the module whose `handlers` export (made by `registerHandlers`) holds the handlers.
   * A URL rather than the handlers themselves, because every handler thread imports it too.
   */
  handlersModule: string | URL;
  /** Jobs run at once by this process, each on a thread of its own (unless it runs inline). Default: the CPU count. */
  concurrency?: number;
  /**
   * How many jobs this process may claim ahead of its free slots, so that short jobs start without
   * a claim each: one claim brings many. It claims ahead only as far as its recent pace says they
   * will start within a fraction of a second (for jobs that take seconds, not at all: idle workers
   * elsewhere take them). Jobs claimed ahead hold leases, show as running, and if this process dies
   * they are rescued like its running jobs (the attempt counts). 0 turns it off.
   * Default: 100, or 4 × concurrency if that is more (past ~100 jobs per claim, the database's work
   * per job hardly falls any more).
   */
  prefetch?: number;
  /**
   * Users with fewer jobs running than this (counted across every worker on the database, jobs
   * claimed ahead included) are served first: a free slot goes to them before the backlog of a
   * user who has this many running, so one user's burst cannot make another's job wait for more
   * than the next slot to come free. Never leaves a slot idle: a lone user still gets them all.
   * 0 (the default here) claims in strict priority order; the server and `pnpm worker` default to
   * all but one of their slots (WORKER_FAIR_SHARE_PER_USER).
   */
  fairSharePerUser?: number;
  /** Unique per process; shows up as `lockedBy` and on each attempt. Default: host:pid:random. */
  workerId?: string;
  /**
   * How long a claim holds a job without a heartbeat. Heartbeats come every quarter of it, so a
   * dead worker's jobs run again within about one lease. Default 20 s.
   */
  leaseMs?: number;
  /** Backstop for missed notifications, and how soon a delayed job is noticed. Default 1 s. */
  pollIntervalMs?: number;
  /** The poll interval when LISTEN turns out not to hear notifications (a transaction-mode pooler). Default 200 ms. */
  pollOnlyIntervalMs?: number;
  /** How often the LISTEN connection proves it is alive (a notification round trip; dead past half of it). Default 10 s. */
  listenProbeIntervalMs?: number;
  /** At most one progress write per job per interval. Default 250 ms. */
  progressIntervalMs?: number;
  /**
   * How long a handler may ignore its abort signal before its thread is terminated (an inline
   * handler cannot be: its attempt is ended without it, see HandlerIsolation). Default 500 ms.
   */
  abandonAfterMs?: number;
  /**
   * The heap one handler thread may use, in MB (V8's old generation, piscina's `resourceLimits`). A
   * handler past it has its thread replaced and its attempt fails with OUT_OF_MEMORY, not retried:
   * the same input would need the same memory again. Default 512.
   */
  handlerMemoryMb?: number;
  /** How long `stop()` lets running jobs finish before releasing them to the queue. Default 10 s. */
  shutdownGraceMs?: number;
  /** How often this process looks for jobs whose lease expired. Default 2 s. */
  rescueIntervalMs?: number;
  /** How often this process offers to delete expired jobs (one process at a time does). Default 60 s. */
  retentionSweepIntervalMs?: number;
  /** Where the engine logs (see WorkerLogger). Default: JSON lines on standard error at `info`. */
  logger?: WorkerLogger;
  /** Told of starts, ends, rescues, heartbeats and reconnects, for metrics (see WorkerObserver). */
  observer?: WorkerObserver;
}

export type WorkerSettings = Required<Omit<WorkerOptions, 'database' | 'workerId' | 'handlersModule'>> & {
  handlersModule: string;
};

export function settings(options: WorkerOptions): WorkerSettings {
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`Worker concurrency must be a positive integer, got ${concurrency}`);
  }
  const prefetch = options.prefetch ?? Math.max(100, 4 * concurrency);
  if (!Number.isInteger(prefetch) || prefetch < 0) {
    throw new Error(`Worker prefetch must be a non-negative integer, got ${prefetch}`);
  }
  const fairSharePerUser = options.fairSharePerUser ?? 0;
  if (!Number.isInteger(fairSharePerUser) || fairSharePerUser < 0) {
    throw new Error(`Worker fairSharePerUser must be a non-negative integer, got ${fairSharePerUser}`);
  }
  const handlerMemoryMb = options.handlerMemoryMb ?? 512;
  if (!Number.isInteger(handlerMemoryMb) || handlerMemoryMb < 16) {
    throw new Error(`Worker handler memory must be an integer of at least 16 MB, got ${handlerMemoryMb}`);
  }
  const checked: WorkerSettings = {
    handlersModule: options.handlersModule.toString(),
    concurrency,
    prefetch,
    fairSharePerUser,
    leaseMs: options.leaseMs ?? 20_000,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    pollOnlyIntervalMs: options.pollOnlyIntervalMs ?? 200,
    listenProbeIntervalMs: options.listenProbeIntervalMs ?? 10_000,
    progressIntervalMs: options.progressIntervalMs ?? 250,
    abandonAfterMs: options.abandonAfterMs ?? 500,
    handlerMemoryMb,
    shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
    rescueIntervalMs: options.rescueIntervalMs ?? 2_000,
    retentionSweepIntervalMs: options.retentionSweepIntervalMs ?? 60_000,
    logger: options.logger ?? defaultWorkerLogger(),
    observer: options.observer ?? unobserved,
  };
  // Refuses a lease too short to fence safely; the note is logged by start().
  checkLeaseTiming(checked);
  return checked;
}
