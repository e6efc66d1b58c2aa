import type { WorkerSettings } from './settings.ts';

/**
 * How the lease, the heartbeat, self-fencing and the grace of a shutdown fit together.
 *
 * A heartbeat goes out every quarter of the lease. A worker whose heartbeats do not get through
 * (database out of reach) stops a handler at `last extension + lease - fence margin`: the margin is
 * the time a handler has to obey its signal before its thread is terminated, plus a little for the
 * fence check's own timer, so the handler is gone before the lease lapses and the rescuer may hand
 * the job to another worker.
 */
const fenceSlackMs = 200;

export function heartbeatIntervalMs(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 4));
}

export function fenceMarginMs(config: Pick<WorkerSettings, 'abandonAfterMs'>): number {
  return config.abandonAfterMs + fenceSlackMs;
}

/** How often the handlers' leases are compared with their fence time. */
export function fenceCheckIntervalMs(leaseMs: number): number {
  return Math.max(10, Math.min(50, Math.floor(leaseMs / 40)));
}

/** An end write is tried this long past the lease (the SQL guard refuses it once the job is someone else's). */
export function endRetryPastLeaseMs(leaseMs: number): number {
  return Math.min(5_000, Math.floor(leaseMs / 4));
}

/**
 * Refuses a lease too short to fence safely (a single late heartbeat would stop the handlers),
 * and says what to change. Answers a note for a grace longer than the lease: safe, because
 * heartbeats go on through the grace, but only if the process is not killed before it is over.
 */
export function checkLeaseTiming(config: Pick<WorkerSettings, 'leaseMs' | 'abandonAfterMs' | 'shutdownGraceMs'>): string | undefined {
  const { leaseMs, abandonAfterMs, shutdownGraceMs } = config;
  if (!Number.isInteger(leaseMs) || leaseMs <= 0) throw new Error(`Worker leaseMs must be a positive integer, got ${leaseMs}`);
  if (!Number.isInteger(abandonAfterMs) || abandonAfterMs < 0) {
    throw new Error(`Worker abandonAfterMs must be a non-negative integer, got ${abandonAfterMs}`);
  }
  if (!Number.isInteger(shutdownGraceMs) || shutdownGraceMs < 0) {
    throw new Error(`Worker shutdownGraceMs must be a non-negative integer, got ${shutdownGraceMs}`);
  }
  const margin = fenceMarginMs(config);
  const minimumLeaseMs = 2 * margin;
  if (leaseMs < minimumLeaseMs) {
    throw new Error(
      `The job lease (leaseMs, WORKER_LEASE_MS) is ${leaseMs} ms; with abandonAfterMs ${abandonAfterMs} ms it must be at least ` +
        `${minimumLeaseMs} ms: a worker that cannot extend a lease stops its handler ${margin} ms before the lease lapses, and ` +
        `that must leave two heartbeats (one every quarter of the lease). Raise the lease to ${minimumLeaseMs} ms or more, ` +
        `or lower abandonAfterMs.`,
    );
  }
  if (shutdownGraceMs <= leaseMs) return undefined;
  return (
    `The shutdown grace (${shutdownGraceMs} ms) is longer than the lease (${leaseMs} ms): safe, because heartbeats go on ` +
    `until the last job has ended or been given back, provided the process is not killed before: let the process manager ` +
    `wait at least ${shutdownGraceMs + abandonAfterMs + 5_000} ms after SIGTERM (grace + abandonAfterMs + 5 s), or lower WORKER_SHUTDOWN_GRACE_MS.`
  );
}
