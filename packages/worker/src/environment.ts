import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { WorkerOptions } from './settings.ts';

/** The worker settings both apps read from the environment; README.md lists them. */
export const workerEnvironmentShape = {
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(availableParallelism()),
  /** Jobs claimed ahead of free slots, at most (see WorkerOptions.prefetch). Default: max(100, 4 × WORKER_CONCURRENCY). */
  WORKER_PREFETCH: z.coerce.number().int().min(0).optional(),
  WORKER_LEASE_MS: z.coerce.number().int().min(1000).default(20_000),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** How often to look for jobs when LISTEN cannot hear notifications (see WorkerOptions.pollOnlyIntervalMs). */
  WORKER_POLL_ONLY_INTERVAL_MS: z.coerce.number().int().min(10).default(200),
  /**
   * Users with fewer running jobs than this are served first (see WorkerOptions.fairSharePerUser);
   * 0 for strict priority order. Default: all but one of this process's slots (WORKER_CONCURRENCY
   * - 1, at least 1).
   */
  WORKER_FAIR_SHARE_PER_USER: z.coerce.number().int().min(0).optional(),
  /** The heap of one handler thread, in MB (see WorkerOptions.handlerMemoryMb). */
  WORKER_HANDLER_MEMORY_MB: z.coerce.number().int().min(16).default(512),
};

export type WorkerEnvironment = z.infer<z.ZodObject<typeof workerEnvironmentShape>>;

export function workerOptionsFrom(
  environment: WorkerEnvironment,
): Pick<
  WorkerOptions,
  'concurrency' | 'prefetch' | 'leaseMs' | 'shutdownGraceMs' | 'handlerMemoryMb' | 'fairSharePerUser' | 'pollOnlyIntervalMs'
> {
  return {
    concurrency: environment.WORKER_CONCURRENCY,
    prefetch: environment.WORKER_PREFETCH,
    leaseMs: environment.WORKER_LEASE_MS,
    shutdownGraceMs: environment.WORKER_SHUTDOWN_GRACE_MS,
    pollOnlyIntervalMs: environment.WORKER_POLL_ONLY_INTERVAL_MS,
    handlerMemoryMb: environment.WORKER_HANDLER_MEMORY_MB,
    fairSharePerUser: environment.WORKER_FAIR_SHARE_PER_USER ?? Math.max(1, environment.WORKER_CONCURRENCY - 1),
  };
}
