import { claimJobs, extendLeases, listenForJobs, type ClaimedJob, type JobNotifications } from '@jobkit/db';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Piscina } from 'piscina';
import type { HandlerRegistry } from './handler.ts';
import { runJob, type RunningJob } from './job-run.ts';
import { loadHandlers } from './load-handlers.ts';
import { startMaintenance } from './maintenance.ts';
import { settings, type WorkerOptions, type WorkerSettings } from './settings.ts';
import type { WarmupTask } from './thread-protocol.ts';

export interface Worker {
  readonly id: string;
  /** Jobs running now in this process. */
  readonly activeJobs: number;
  start(): Promise<void>;
  /**
   * Stops claiming, lets running jobs finish within `graceMs`, then stops the rest and gives them
   * back to the queue (not failed, the attempt not counted).
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

const threadEntry = new URL('./thread-bootstrap.mjs', import.meta.url).href;

export function createWorker(options: WorkerOptions): Worker {
  const config: WorkerSettings = settings(options);
  const { pool } = options.database;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const active = new Map<string, RunningJob>();
  const log = config.log;
  let handlers: HandlerRegistry = {};
  let threads: Piscina | undefined;
  let notifications: JobNotifications | undefined;
  let stopMaintenance = (): void => undefined;
  let timers: NodeJS.Timeout[] = [];
  let stopping = false;
  let claimWanted = false;
  let claiming: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;

  function wake(): void {
    claimWanted = true;
    if (!claiming && !stopping) claiming = claimLoop();
  }

  // One claim at a time per process; a wake-up during a claim makes the loop go round again.
  async function claimLoop(): Promise<void> {
    // Yield first, so `claiming` is assigned before this function can reach its `finally`.
    await Promise.resolve();
    try {
      while (claimWanted && !stopping) {
        claimWanted = false;
        const free = config.concurrency - active.size;
        if (free <= 0) break;
        const jobs = await claimJobs(pool, { workerId: id, kinds: Object.keys(handlers), limit: free, leaseMs: config.leaseMs });
        for (const job of jobs) start(job);
      }
    } catch (error) {
      log(`[worker ${id}] claim failed, will retry: ${String(error)}`);
    } finally {
      claiming = undefined;
    }
  }

  function start(job: ClaimedJob): void {
    const handler = handlers[job.kind];
    if (!handler || !threads) return;
    const running = runJob(job, handler, { database: options.database, threads, workerId: id, config });
    active.set(job.id, running);
    running.done
      .catch((error: unknown) => {
        log(`[worker ${id}] could not record the end of job ${job.id}: ${String(error)}`);
      })
      .finally(() => {
        active.delete(job.id);
        wake();
      });
  }

  // Extends the leases of this process's jobs, and learns which it lost or must cancel.
  async function heartbeat(): Promise<void> {
    if (active.size === 0) return;
    try {
      const sent = [...active.keys()];
      const held = new Map((await extendLeases(pool, id, sent, config.leaseMs)).map((lease) => [lease.id, lease]));
      // Only the jobs this heartbeat asked about: one claimed or finished meanwhile proves nothing.
      for (const jobId of sent) {
        const lease = held.get(jobId);
        if (!lease) active.get(jobId)?.abort('lease-lost');
        else if (lease.cancelRequested) active.get(jobId)?.abort('cancelled');
      }
    } catch (error) {
      log(`[worker ${id}] heartbeat failed: ${String(error)}`);
    }
  }

  return {
    id,
    get activeJobs() {
      return active.size;
    },
    async start() {
      handlers = await loadHandlers(config.handlersModule);
      const threadPool = new Piscina({
        filename: threadEntry,
        // Every thread is started up front and kept: a thread's first job would otherwise wait
        // for it to boot and load the handlers (about a second).
        maxThreads: config.concurrency,
        minThreads: config.concurrency,
        // The bootstrap registers the TypeScript loader itself; inheriting the parent's loader
        // flags (tsx, vitest) would register a second one.
        execArgv: [],
      });
      const warmup: WarmupTask = { type: 'warmup', handlersModule: config.handlersModule };
      await Promise.all(Array.from({ length: config.concurrency }, () => threadPool.run(warmup)));
      threads = threadPool;
      notifications = listenForJobs(
        options.database.url,
        { onJob: wake, onCancel: (jobId) => active.get(jobId)?.abort('cancelled') },
        log,
      );
      // Started means listening: a cancellation sent right after start() must not be missed.
      await notifications.ready;
      stopMaintenance = startMaintenance(pool, handlers, config, wake);
      timers = [
        setInterval(wake, config.pollIntervalMs),
        setInterval(() => void heartbeat(), Math.max(100, Math.floor(config.leaseMs / 4))),
      ];
      for (const timer of timers) timer.unref();
      wake();
    },
    stop({ graceMs = config.shutdownGraceMs } = {}) {
      stopped ??= stopNow(graceMs);
      return stopped;
    },
  };

  async function stopNow(graceMs: number): Promise<void> {
    stopping = true;
    for (const timer of timers) clearInterval(timer);
    stopMaintenance();
    await claiming;
    const finished = Promise.all([...active.values()].map((running) => running.done.catch(() => undefined)));
    const graceTimer = setTimeout(() => {
      for (const running of active.values()) running.abort('shutdown');
    }, graceMs);
    await finished;
    clearTimeout(graceTimer);
    // Listening lasts until the end: a cancellation may arrive during the grace period.
    await notifications?.close();
    await threads?.destroy();
  }
}
