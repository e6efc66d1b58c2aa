import type { BenchConfig, Workload } from './config.ts';
import { systemIds, type SystemId } from './systems/types.ts';

export type Column = SystemId | 'machine';

export interface Metric {
  id: string;
  workload: Workload;
  label: string;
  unit: 'jobs/s' | 'req/s' | 'tx/s' | 'ms' | 'streams/s' | 'MB' | '% of a core' | '%';
  /** Where the figure is measured; other columns of its table row stay empty. */
  columns: readonly Column[];
  /**
   * What the smoke test accepts besides a positive number: zero for a CPU share that tiny sizes
   * may not lift above one clock tick, anything for a difference (a cost measured below noise).
   */
  range?: 'nonNegative' | 'any';
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
    ...watchMetrics(config),
  ];
  // Only what this run measures: the systems and workloads it was told to run.
  return all
    .filter((metric) => config.workloads.includes(metric.workload))
    .map((metric) => ({ ...metric, columns: metric.columns.filter((column) => column === 'machine' || config.systems.includes(column)) }))
    .filter((metric) => metric.columns.length > 0);
}

/** jobs.watchJob over SSE (workloads/watch.ts); the targets are issue 15's, printed, not asserted. */
function watchMetrics(config: BenchConfig): Metric[] {
  const rows: Metric[] = [];
  for (const watchers of config.watchers) {
    const jobs = fmt(Math.min(watchers, config.pollTargets));
    rows.push(
      { workload: 'watch', id: `watchIdle${watchers}RssBefore`, label: `HTTP jobs.watchJob (SSE), ${fmt(watchers)} idle watchers of ${jobs} queued jobs: server RSS before them`, unit: 'MB', columns: ours },
      { workload: 'watch', id: `watchIdle${watchers}Rss`, label: '  … server RSS with them', unit: 'MB', columns: ours },
      // Most of the server's RSS is its own baseline (sources compiled by tsx, Prisma, pools): what the watchers add is what scales.
      { workload: 'watch', id: `watchIdle${watchers}RssAdded`, label: '  … RSS they add (target at 10,000: < 300 MB)', unit: 'MB', columns: ours, range: 'any' },
      { workload: 'watch', id: `watchIdle${watchers}Cpu`, label: `  … server CPU over ${config.watchSeconds} s with them (target at 10,000: < 5 %)`, unit: '% of a core', columns: ours, range: 'nonNegative' },
      { workload: 'watch', id: `watchIdle${watchers}Connect`, label: '  … connect rate, until each has its first event', unit: 'streams/s', columns: ours },
      { workload: 'watch', id: `watchIdle${watchers}ConnectCpu`, label: '  … server CPU per stream opened, meanwhile', unit: 'ms', columns: ours, range: 'nonNegative' },
    );
  }
  const active = fmt(config.activeWatchers);
  rows.push(
    { workload: 'watch', id: 'watchEventP50', label: `progress write → its SSE event at each watcher, ${active} watchers, p50 (${fmt(config.watchSamples)} writes)`, unit: 'ms', columns: ours },
    { workload: 'watch', id: 'watchEventP99', label: '  … p99 (target < 50 ms)', unit: 'ms', columns: ours },
    { workload: 'watch', id: 'watchDrainAlone', label: `drain ${fmt(config.jobs)} no-op jobs, 1 worker process, beside the server, no watchers`, unit: 'jobs/s', columns: ours },
    { workload: 'watch', id: 'watchDrainAloneServerCpu', label: '  … server CPU meanwhile (no stream, so no LISTEN open)', unit: '% of a core', columns: ours, range: 'nonNegative' },
    { workload: 'watch', id: 'watchDrainWatched', label: `  … the same with ${active} idle watchers connected`, unit: 'jobs/s', columns: ours },
    { workload: 'watch', id: 'watchDrainWatchedServerCpu', label: '  … server CPU meanwhile (pings, and every job change heard on its LISTEN)', unit: '% of a core', columns: ours, range: 'nonNegative' },
    { workload: 'watch', id: 'watchDrainCost', label: '  … the watchers’ cost to the drain (target < 10 %)', unit: '%', columns: ours, range: 'any' },
  );
  return rows;
}
