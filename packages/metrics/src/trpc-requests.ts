import { Histogram, type Registry } from 'prom-client';
import { metricPrefix } from './registry.ts';

const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface TrpcRequestMetrics {
  /** One answered HTTP request; anything not under the tRPC prefix is left out. */
  observe(request: { url: string; status: number; seconds: number }): void;
}

/**
 * `jobkit_http_request_duration_seconds{procedure,status}` for the tRPC endpoint. The label is a
 * procedure path this server has (`jobs.getJob`), never the URL (its input) and never anything a
 * caller made up (`unknown`), so the number of series stays bounded. A batched request is observed
 * once for each procedure it carried, with the whole request's duration.
 */
export function trpcRequestMetrics(registry: Registry, options: { prefix: string; procedures: readonly string[] }): TrpcRequestMetrics {
  const known = new Set(options.procedures);
  const duration = new Histogram({
    name: `${metricPrefix}http_request_duration_seconds`,
    help: 'HTTP requests to the tRPC API, by procedure path and status code: from the request to the end of its answer (a stream: its whole life).',
    labelNames: ['procedure', 'status'],
    buckets: durationBuckets,
    registers: [registry],
  });
  const pathStart = `${options.prefix}/`;
  return {
    observe({ url, status, seconds }) {
      const pathname = url.split('?', 1)[0] ?? '';
      if (!pathname.startsWith(pathStart)) return;
      for (const path of pathname.slice(pathStart.length).split(',')) {
        duration.observe({ procedure: known.has(path) ? path : 'unknown', status }, seconds);
      }
    },
  };
}
