import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { WorkerOptions } from './settings.ts';

/** The worker settings both apps read from the environment; README.md lists them. */
export const workerEnvironmentShape = {
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(availableParallelism()),
  WORKER_LEASE_MS: z.coerce.number().int().min(1000).default(20_000),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
};

export type WorkerEnvironment = z.infer<z.ZodObject<typeof workerEnvironmentShape>>;

export function workerOptionsFrom(environment: WorkerEnvironment): Pick<WorkerOptions, 'concurrency' | 'leaseMs' | 'shutdownGraceMs'> {
  return {
    concurrency: environment.WORKER_CONCURRENCY,
    leaseMs: environment.WORKER_LEASE_MS,
    shutdownGraceMs: environment.WORKER_SHUTDOWN_GRACE_MS,
  };
}
