import { recordProgress } from '@jobkit/queue';
import type { Database } from '@jobkit/db';
import type { BenchConfig } from '../config.ts';
import { percentile, sleep } from '../stats.ts';
import { wallClock } from '../systems/types.ts';
import type { OpenWatchers } from '../watchers.ts';

/** A job claimed by the benchmark: progress can be written to it under this attempt. */
export interface RunningJob {
  id: string;
  attempt: number;
}

/** Settles once `expected` events have arrived, whichever jobs they are of. */
export function eventsHeard(watching: OpenWatchers, expected: number) {
  let heard = 0;
  let allHeard = (): void => undefined;
  const all = new Promise<void>((resolve) => {
    allHeard = resolve;
  });
  const stop = watching.onEvent(() => {
    heard += 1;
    if (heard === expected) allHeard();
  });
  return { all, heard: () => heard, stop };
}

/** The write whose events are awaited, and how many of its job's watchers have yet to see it. */
interface PendingWrite {
  jobId: string;
  writtenAt: number;
  left: number;
  timed: boolean;
  arrived: () => void;
}

/**
 * (b) Progress written to one job at a time (recordProgress, as a worker reports it), each of that
 * job's watchers timing its event from just before the write: the write's round trip and commit,
 * the NOTIFY, the server's read and the stream. Both ends read the machine's clock (wallClock).
 * One write at a time, so each wait is its own; the first few warm up and are dropped.
 */
export async function timeProgressEvents(db: Database, watching: OpenWatchers, jobs: readonly RunningJob[], config: BenchConfig) {
  const watchers = config.activeWatchers;
  // Watcher n watches jobs[n % jobs.length]: this many watch job `index`.
  const watchersOf = (index: number) => Math.floor(watchers / jobs.length) + (index < watchers % jobs.length ? 1 : 0);
  const samples: number[] = [];
  let awaited: PendingWrite | undefined;
  let strays = 0;
  const stop = watching.onEvent((jobId, _version, receivedAt) => {
    if (awaited?.jobId !== jobId) {
      strays += 1;
      return;
    }
    if (awaited.timed) samples.push(receivedAt - awaited.writtenAt);
    awaited.left -= 1;
    if (awaited.left === 0) awaited.arrived();
  });
  try {
    const warmup = Math.min(20, Math.ceil(config.watchSamples / 5));
    for (let n = 0; n < warmup + config.watchSamples; n++) {
      const index = n % jobs.length;
      const job = jobs[index];
      if (!job) throw new Error(`no job ${index}`);
      const pending: PendingWrite = { jobId: job.id, writtenAt: 0, left: watchersOf(index), timed: n >= warmup, arrived: () => undefined };
      const arrived = new Promise<void>((resolve) => {
        pending.arrived = resolve;
      });
      awaited = pending;
      pending.writtenAt = wallClock();
      const written = await recordProgress(db.pool, { jobId: job.id, workerId: 'bench', attempt: job.attempt }, { percent: n % 100, message: `write ${n}` });
      if (!written) throw new Error(`progress of job ${job.id} was not written (its lease is gone)`);
      await within(arrived, 30_000, () => `write ${n}: ${pending.left} of ${watchersOf(index)} watchers of job ${job.id} had no event after 30 s`);
      awaited = undefined;
      await sleep(config.latencyGapMs);
    }
  } finally {
    stop();
  }
  samples.sort((a, b) => a - b);
  const problems = strays === 0 ? [] : [`${strays} events arrived for jobs no write was waiting on`];
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), problems };
}

/** The promise, or a rejection with `message()` (read when it fires) after `ms`. */
export function within(promise: Promise<void>, ms: number, message: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(message()));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
