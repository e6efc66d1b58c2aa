import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Worker, WorkerObserver } from '@jobkit/worker';
import { metricPrefix } from './registry.ts';

/** Seconds, from a job that starts at once to one that waited an hour. */
const waitBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** Seconds, from a millisecond job to a half-hour analysis. */
const runBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export interface WorkerMetrics {
  /** For `createWorker({ observer })`: the engine's events become these counters and histograms. */
  readonly observer: WorkerObserver;
  /** Counts this worker's busy slots and prefetched jobs in the gauges, read when scraped. */
  watch(worker: Pick<Worker, 'busySlots' | 'prefetchedJobs'>): void;
}

/** The metrics of the workers in this process, in `registry`. Labels are kinds and outcomes only: never a job's id or input. */
export function workerMetrics(registry: Registry): WorkerMetrics {
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[] = ['kind']) =>
    new Counter({ name: `${metricPrefix}${name}`, help, labelNames, registers });
  const started = counter('jobs_started_total', 'Jobs whose handler this process started, by kind.');
  const completed = counter('jobs_completed_total', 'Jobs completed here, by kind.');
  const failed = counter('jobs_failed_total', 'Jobs that failed for good here (attempts used up, or not retryable), by kind.');
  const retried = counter('jobs_retried_total', 'Failed attempts whose job was queued for another one, by kind.');
  const rescued = counter('jobs_rescued_total', 'Jobs this process took back after their lease lapsed, by kind and the status they got.', ['kind', 'status']);
  const leasesExtended = counter('lease_extensions_total', 'Leases extended by heartbeats.', []);
  const leaseFailures = counter('lease_extension_failures_total', 'Heartbeats that failed, extending no lease.', []);
  const reconnects = counter('listen_reconnects_total', 'Times the LISTEN connection was lost and listened again.', []);
  const waited = new Histogram({
    name: `${metricPrefix}job_queue_wait_seconds`,
    help: 'From when a job became runnable (enqueued, due, retried) to its claim, by kind.',
    labelNames: ['kind'],
    buckets: waitBuckets,
    registers,
  });
  const ran = new Histogram({
    name: `${metricPrefix}job_run_seconds`,
    help: 'Handler time of each attempt, by kind and how the attempt ended (completed, retried, failed, cancelled, released, lost).',
    labelNames: ['kind', 'end'],
    buckets: runBuckets,
    registers,
  });
  const watched: Pick<Worker, 'busySlots' | 'prefetchedJobs'>[] = [];
  // Summed over the watched workers of this process when scraped.
  const sumGauge = (name: string, help: string, read: (worker: Pick<Worker, 'busySlots' | 'prefetchedJobs'>) => number) => {
    const gauge: Gauge = new Gauge({
      name: `${metricPrefix}${name}`,
      help,
      registers,
      collect: () => {
        gauge.set(watched.reduce((sum, worker) => sum + read(worker), 0));
      },
    });
  };
  sumGauge('worker_slots_busy', 'Handler slots taken in this process (a handler at work, or an end being written).', (worker) => worker.busySlots);
  sumGauge('worker_prefetched_jobs', 'Jobs this process claimed ahead, waiting for a free slot.', (worker) => worker.prefetchedJobs);
  const counterOfEnd = { completed, failed, retried } as const;

  return {
    observer: {
      jobStarted({ kind, waitedMs }) {
        started.inc({ kind });
        waited.observe({ kind }, waitedMs / 1000);
      },
      jobEnded({ kind, end, runMs }) {
        ran.observe({ kind, end }, runMs / 1000);
        if (end === 'completed' || end === 'failed' || end === 'retried') counterOfEnd[end].inc({ kind });
      },
      jobRescued({ kind, status }) {
        rescued.inc({ kind, status });
      },
      leasesExtended(count) {
        leasesExtended.inc(count);
      },
      leaseExtensionFailed() {
        leaseFailures.inc();
      },
      listenReconnected() {
        reconnects.inc();
      },
    },
    watch(worker) {
      watched.push(worker);
    },
  };
}
