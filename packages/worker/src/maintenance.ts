import { defaultRetentionMs } from '@jobkit/contract';
import { rescueExpiredJobs, sweepExpiredJobs } from '@jobkit/queue';
import { type Database } from '@jobkit/db';
import type { HandlerRegistry } from './handler.ts';
import type { WorkerSettings } from './settings.ts';

const rescueBatch = 100;
const sweepBatch = 1000;
/** Tombstones of deleted jobs are kept this long, to answer "expired" instead of "not found". */
const tombstoneMs = 30 * 24 * 60 * 60 * 1000;
/** An upload no job used is deleted after this long: time enough to start a job with it. */
const unusedFileMs = 24 * 60 * 60 * 1000;

/**
 * The upkeep every worker process runs on timers: rescuing jobs whose worker died (lease expired)
 * and deleting finished jobs past their retention. Both are safe from many processes at once:
 * the rescue skips rows another rescuer holds, the sweep runs in one process at a time.
 */
export function startMaintenance(
  pool: Database['pool'],
  handlers: HandlerRegistry,
  config: WorkerSettings,
  onRescued: () => void,
): () => void {
  const retentionMsByKind = Object.fromEntries(
    Object.values(handlers).map((handler) => [handler.contract.kind, handler.contract.retentionMs]),
  );

  // An outage is logged once per task, not on every tick.
  const failing = { rescue: false, sweep: false };

  const rescue = async (): Promise<void> => {
    try {
      let rescued;
      do {
        rescued = await rescueExpiredJobs(pool, { limit: rescueBatch, retentionMsByKind, defaultRetentionMs });
        for (const job of rescued) {
          config.observer.jobRescued(job);
          config.logger.warn({ jobId: job.id, kind: job.kind, status: job.status }, `rescued a job whose lease expired: now ${job.status}`);
        }
        if (rescued.some((job) => job.status === 'queued')) onRescued();
      } while (rescued.length === rescueBatch);
      failing.rescue = false;
    } catch (error) {
      if (!failing.rescue) config.logger.error({ err: error }, 'the rescue of lapsed leases failed, will retry');
      failing.rescue = true;
    }
  };

  const sweep = async (): Promise<void> => {
    try {
      let deleted;
      do deleted = await sweepExpiredJobs(pool, { batchSize: sweepBatch, tombstoneMs, unusedFileMs });
      while (deleted === sweepBatch);
      failing.sweep = false;
    } catch (error) {
      if (!failing.sweep) config.logger.error({ err: error }, 'the retention sweep failed, will retry');
      failing.sweep = true;
    }
  };

  const timers = [
    setInterval(() => void rescue(), config.rescueIntervalMs),
    setInterval(() => void sweep(), config.retentionSweepIntervalMs),
  ];
  for (const timer of timers) timer.unref();
  void rescue();
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
