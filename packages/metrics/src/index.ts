export { createMetricsRegistry, metricPrefix } from './registry.ts';
export { workerMetrics, type WorkerMetrics } from './worker-metrics.ts';
export { queueDepthMetrics } from './queue-depth.ts';
export { trpcRequestMetrics, type TrpcRequestMetrics } from './trpc-requests.ts';
export { answerScrape, serveMetrics, type MetricsServer, type Readiness, type ScrapeAnswer } from './scrape.ts';
export type { Registry } from 'prom-client';
export { metricsEnvironmentShape } from './environment.ts';
export { createProcessMetrics, type ProcessMetrics } from './process-metrics.ts';
