import type { Database } from '@jobkit/db';
import { availableParallelism } from 'node:os';

export interface WorkerOptions {
  database: Database;
  /**
   * URL of the module whose `handlers` export (made by `registerHandlers`) holds the handlers.
   * A URL rather than the handlers themselves, because every handler thread imports it too.
   */
  handlersModule: string | URL;
  /** Jobs run at once by this process, each on a thread of its own. Default: the CPU count. */
  concurrency?: number;
  /** Unique per process; shows up as `lockedBy` and on each attempt. Default: host:pid:random. */
  workerId?: string;
  /** How long a claim holds a job without a heartbeat. Default 30 s; heartbeats every third. */
  leaseMs?: number;
  /** Backstop for missed notifications, and how soon a delayed job is noticed. Default 1 s. */
  pollIntervalMs?: number;
  /** At most one progress write per job per interval. Default 250 ms. */
  progressIntervalMs?: number;
  /** How long a handler may ignore its abort signal before its thread is terminated. Default 2 s. */
  abandonAfterMs?: number;
  /** How long `stop()` lets running jobs finish before stopping them. Default 10 s. */
  shutdownGraceMs?: number;
  /** Delay before retry number `attempt` (1-based). Default: exponential with jitter, see below. */
  retryDelayMs?: (attempt: number) => number;
  log?: (message: string) => void;
}

export type WorkerSettings = Required<Omit<WorkerOptions, 'database' | 'workerId' | 'handlersModule'>> & {
  handlersModule: string;
};

/** 1 s, 2 s, 4 s ... capped at 5 min, each scaled by a random 50-100% so retries spread out. */
export function exponentialBackoff(attempt: number): number {
  const base = Math.min(1000 * 2 ** (attempt - 1), 5 * 60 * 1000);
  return Math.round(base * (0.5 + Math.random() / 2));
}

export function settings(options: WorkerOptions): WorkerSettings {
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`Worker concurrency must be a positive integer, got ${concurrency}`);
  }
  return {
    handlersModule: options.handlersModule.toString(),
    concurrency,
    leaseMs: options.leaseMs ?? 30_000,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    progressIntervalMs: options.progressIntervalMs ?? 250,
    abandonAfterMs: options.abandonAfterMs ?? 2_000,
    shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
    retryDelayMs: options.retryDelayMs ?? exponentialBackoff,
    log:
      options.log ??
      ((message) => {
        console.warn(message);
      }),
  };
}
