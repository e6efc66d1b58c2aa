import type { Database } from '@jobkit/db';
import type { Registry } from 'prom-client';
import { queueDepthMetrics } from './queue-depth.ts';
import { createMetricsRegistry } from './registry.ts';
import { workerMetrics, type WorkerMetrics } from './worker-metrics.ts';

export interface ProcessMetrics {
  registry: Registry;
  /** Give `workers.observer` to createWorker and the worker to `workers.watch`. */
  workers: WorkerMetrics;
}

/** What the server and `pnpm worker` expose alike: process defaults, the workers' metrics and the queue depth. */
export function createProcessMetrics(pool: Database['pool'], options: { queueDepthRefreshMs: number }): ProcessMetrics {
  const registry = createMetricsRegistry();
  queueDepthMetrics(registry, pool, { refreshMs: options.queueDepthRefreshMs });
  return { registry, workers: workerMetrics(registry) };
}
