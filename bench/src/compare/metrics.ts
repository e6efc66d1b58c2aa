import type { BenchConfig, Workload } from './config.ts';
import { systemIds, type SystemId } from './systems/types.ts';

export type Column = SystemId | 'machine';

export interface Metric {
  id: string;
  workload: Workload;
  label: string;
  unit: 'jobs/s' | 'req/s' | 'tx/s' | 'ms';
  /** Where the figure is measured; other columns of its table row stay empty. */
  columns: readonly Column[];
}

const families: readonly SystemId[] = ['jobkit', 'graphile', 'pgboss'];
const ours: readonly SystemId[] = ['jobkit'];
const fmt = (n: number) => n.toLocaleString('en-US');

/** Every row of the table and of the JSON file, in order; the smoke test expects each of them. */
export function metrics(config: BenchConfig): Metric[] {
  const http: Metric[] = [
    { workload: 'http', id: 'httpStart', label: `HTTP analysis.startDocumentAnalysis, ${config.concurrency} connections`, unit: 'jobs/s', columns: ours },
    { workload: 'http', id: 'httpStartP50', label: '  … its latency p50', unit: 'ms', columns: ours },
    { workload: 'http', id: 'httpStartP99', label: '  … its latency p99', unit: 'ms', columns: ours },
    { workload: 'http', id: 'httpStartMany', label: `HTTP analysis.startMany, ${config.startManySize} jobs per request, ${config.concurrency} connections`, unit: 'jobs/s', columns: ours },
  ];
  for (const pollers of config.pollers) {
    http.push(
      { workload: 'http', id: `httpPoll${pollers}`, label: `HTTP jobs.getJob, ${pollers} pollers (no think time)`, unit: 'req/s', columns: ours },
      { workload: 'http', id: `httpPoll${pollers}P50`, label: '  … its latency p50', unit: 'ms', columns: ours },
      { workload: 'http', id: `httpPoll${pollers}P99`, label: '  … its latency p99', unit: 'ms', columns: ours },
      { workload: 'http', id: `drainDuringPoll${pollers}`, label: `  … no-op drain meanwhile, 1 worker process (${fmt(config.jobs)} jobs)`, unit: 'jobs/s', columns: ours },
      { workload: 'http', id: `httpPollFull${pollers}`, label: `HTTP jobs.getJob of running jobs, ${pollers} pollers, no drain`, unit: 'req/s', columns: ours },
      { workload: 'http', id: `httpPollFull${pollers}P99`, label: '  … its latency p99', unit: 'ms', columns: ours },
      { workload: 'http', id: `httpPollUnchanged${pollers}`, label: `HTTP jobs.pollJob of the same, version unchanged, ${pollers} pollers`, unit: 'req/s', columns: ours },
      { workload: 'http', id: `httpPollUnchanged${pollers}P99`, label: '  … its latency p99', unit: 'ms', columns: ours },
    );
  }
  const all: Metric[] = [
    { workload: 'commit', id: 'commitRate', label: `PostgreSQL single-row UPDATE commits, ${config.commitClients} clients (machine limit)`, unit: 'tx/s', columns: ['machine'] },
    { workload: 'enqueue', id: 'enqueueSingle', label: `enqueue one job per call, sequential (${fmt(config.singleJobs)} calls)`, unit: 'jobs/s', columns: families },
    { workload: 'enqueue', id: 'enqueueBatch', label: `enqueue ${fmt(config.jobs)} jobs in one call`, unit: 'jobs/s', columns: families },
    { workload: 'drain', id: 'drain1', label: `drain ${fmt(config.jobs)} no-op jobs, 1 worker process`, unit: 'jobs/s', columns: systemIds },
    { workload: 'drain', id: 'drain2', label: `drain ${fmt(config.jobs)} no-op jobs, 2 worker processes`, unit: 'jobs/s', columns: systemIds },
    { workload: 'drain', id: 'latencyP50', label: `enqueue call → handler start, idle worker, p50 (${fmt(config.latencySamples)} jobs)`, unit: 'ms', columns: systemIds },
    { workload: 'drain', id: 'latencyP95', label: '  … p95', unit: 'ms', columns: systemIds },
    { workload: 'drain', id: 'latencyP99', label: '  … p99', unit: 'ms', columns: systemIds },
    { workload: 'drain', id: 'latencyMax', label: '  … max', unit: 'ms', columns: systemIds },
    ...http,
  ];
  // Only what this run measures: the systems and workloads it was told to run.
  return all
    .filter((metric) => config.workloads.includes(metric.workload))
    .map((metric) => ({ ...metric, columns: metric.columns.filter((column) => column === 'machine' || config.systems.includes(column)) }))
    .filter((metric) => metric.columns.length > 0);
}
