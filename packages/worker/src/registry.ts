import { readMigrations, type Database } from '@jobkit/db';
import { registerWorker, removeWorker, reportWorker, type WorkerIdentity } from '@jobkit/queue';
import { hostname } from 'node:os';
import type { WorkerLogger } from './logger.ts';

/** How often a worker says it is alive: well inside `workerLapsedAfterMs`, so a few missed reports are forgiven. */
export const workerReportIntervalMs = 5_000;

/** Silent past this, a worker's database is taken for unreachable: three reports missed. */
const unreachableAfterMs = 3 * workerReportIntervalMs;

export interface WorkerReadiness {
  ready: boolean;
  /** Why not, in words; null when ready. */
  reason: string | null;
}

/**
 * Ready = started, not stopping, and its database answered lately (the registry's reports are the
 * worker's own pulse: they go on whether or not there is work).
 */
export function workerReadiness(state: { started: boolean; stopping: boolean; lastReportAt: number | null }, now = performance.now()): WorkerReadiness {
  if (!state.started) return { ready: false, reason: 'starting' };
  if (state.stopping) return { ready: false, reason: 'stopping: finishing its running jobs' };
  if (state.lastReportAt === null) return { ready: false, reason: 'its database has not answered yet' };
  const silentMs = now - state.lastReportAt;
  if (silentMs > unreachableAfterMs) return { ready: false, reason: `its database has not answered for ${Math.round(silentMs / 1000)} s` };
  return { ready: true, reason: null };
}

export interface WorkerRegistration {
  /** When the last report reached the database (performance.now()), or null before the first. */
  readonly lastReportAt: number | null;
  stop(): Promise<void>;
}

/** The release a worker runs, as the registry shows it: the newest migration it knows. */
async function releaseVersion(): Promise<string> {
  return (await readMigrations()).at(-1)?.name ?? 'unknown';
}

/**
 * Records this worker in `worker_process` and keeps its row fresh (`runningJobs` each report); on
 * stop, removes it. A database that is down only delays the row: each report tries again, and a
 * row swept while the worker was silent is written anew.
 */
export async function startWorkerRegistration(
  pool: Database['pool'],
  worker: Pick<WorkerIdentity, 'id' | 'kinds' | 'concurrency'>,
  runningJobs: () => number,
  logger: WorkerLogger,
): Promise<WorkerRegistration> {
  const identity: WorkerIdentity = { ...worker, host: hostname(), pid: process.pid, version: await releaseVersion() };
  let lastReportAt: number | null = null;
  let failing = false;
  let reporting: Promise<void> = Promise.resolve();

  async function report(): Promise<void> {
    try {
      if (lastReportAt === null || !(await reportWorker(pool, identity.id, runningJobs()))) await registerWorker(pool, identity);
      lastReportAt = performance.now();
      if (failing) logger.info('reports to the worker registry again');
      failing = false;
    } catch (error) {
      // One line per outage, not one per report.
      if (!failing) logger.warn({ err: error }, 'could not report to the worker registry; trying again');
      failing = true;
    }
  }

  reporting = report();
  await reporting;
  const timer = setInterval(() => {
    reporting = report();
  }, workerReportIntervalMs);
  timer.unref();
  return {
    get lastReportAt() {
      return lastReportAt;
    },
    async stop() {
      clearInterval(timer);
      await reporting;
      // If this fails, the row lapses and the next report of another worker sweeps it.
      await removeWorker(pool, identity.id).catch((error: unknown) => {
        logger.warn({ err: error }, 'could not remove this worker from the registry; it will lapse');
      });
    },
  };
}
