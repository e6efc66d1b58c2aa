import { collectDefaultMetrics, Registry } from 'prom-client';

/** Every metric of this project starts so, the process's default ones too. */
export const metricPrefix = 'jobkit_';

/**
 * A registry of this process's own (not prom-client's global one, so two in one process, as in
 * the tests, never share a metric), with Node's default process metrics: CPU, memory, event loop
 * lag, garbage collection, handles. Computed when scraped.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: metricPrefix });
  return registry;
}
