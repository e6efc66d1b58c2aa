import { claimJobs, listenForJobs, type AttemptRef, type ClaimedJob, type JobNotifications } from '@jobkit/db';
import { defaultRetentionMs } from '@jobkit/jobs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { batchedAttemptEnds } from './attempt-ends.ts';
import type { HandlerRegistry } from './handler.ts';
import { startHandlerThreads, type HandlerThreads } from './handler-threads.ts';
import { heartbeat } from './heartbeat.ts';
import { runJob, type RunningJob } from './job-run.ts';
import { loadHandlers } from './load-handlers.ts';
import { LocalQueue } from './local-queue.ts';
import { startMaintenance } from './maintenance.ts';
import { settings, type WorkerOptions, type WorkerSettings } from './settings.ts';

export interface Worker {
  readonly id: string;
  /** Jobs running now in this process. */
  readonly activeJobs: number;
  start(): Promise<void>;
  /**
   * Stops claiming, gives back the jobs claimed ahead, lets running jobs finish within `graceMs`,
   * then stops the rest and gives them back to the queue too (not failed, the attempt not counted).
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export function createWorker(options: WorkerOptions): Worker {
  const config: WorkerSettings = settings(options);
  const { pool } = options.database;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const ends = batchedAttemptEnds(pool);
  const queue = new LocalQueue(config.concurrency, config.prefetch);
  // Every started job of this process, until its end is written; `running` counts those whose
  // handler has not finished: a slot is free again as soon as its handler is over.
  const active = new Map<string, RunningJob>();
  let running = 0;
  const log = config.log;
  let handlers: HandlerRegistry = {};
  let threads: HandlerThreads | undefined;
  let notifications: JobNotifications | undefined;
  let stopMaintenance = (): void => undefined;
  let timers: NodeJS.Timeout[] = [];
  let stopping = false;
  let claimWanted = false;
  let claiming: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  const endings = new Set<Promise<unknown>>();

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
        const limit = queue.claimLimit(running);
        if (limit <= 0) break;
        const jobs = await claimJobs(pool, {
          workerId: id,
          kinds: Object.keys(handlers),
          limit,
          leaseMs: config.leaseMs,
          maxRunningPerOwner: config.maxRunningPerUser,
        });
        queue.add(jobs);
        startQueued();
      }
    } catch (error) {
      log(`[worker ${id}] claim failed, will retry: ${String(error)}`);
    } finally {
      claiming = undefined;
    }
    // Jobs claimed while stopping began are given back with the rest of the queue.
    if (stopping) releaseQueued();
  }

  function startQueued(): void {
    while (!stopping && running < config.concurrency) {
      const job = queue.take();
      if (!job) return;
      start(job);
    }
  }

  function start(job: ClaimedJob): void {
    const handler = handlers[job.kind];
    if (!handler) return;
    const startedAt = performance.now();
    const run = runJob(job, handler, { database: options.database, threads, ends, workerId: id, config });
    active.set(job.id, run);
    running++;
    void run.finished.then(() => {
      running--;
      queue.observe(performance.now() - startedAt);
      startQueued();
      wake();
    });
    run.done
      .catch((error: unknown) => {
        log(`[worker ${id}] could not record the end of job ${job.id}: ${String(error)}`);
      })
      .finally(() => {
        active.delete(job.id);
        // The database counts the job as running until its end is written (in a batch, after its
        // slot came free): with a limit per user, the claims made meanwhile skipped its owner.
        if (config.maxRunningPerUser > 0) wake();
      });
  }

  // Writes the end of a job that never started here; stop() waits for these too.
  function endQueued(job: ClaimedJob, end: (ref: AttemptRef) => Promise<unknown>): void {
    const ending = end({ jobId: job.id, workerId: id, attempt: job.attempt })
      .catch((error: unknown) => {
        log(`[worker ${id}] could not record the end of job ${job.id}: ${String(error)}`);
      })
      .finally(() => endings.delete(ending));
    endings.add(ending);
  }

  function releaseQueued(): void {
    for (const job of queue.takeAll()) endQueued(job, (ref) => ends.release(ref));
  }

  /** A job this process holds must stop: at once if it has not started, through its handler if it has. */
  function abort(jobId: string, reason: 'cancelled' | 'lease-lost'): void {
    const queued = queue.remove(jobId);
    if (!queued) {
      active.get(jobId)?.abort(reason);
      return;
    }
    // A job whose lease is lost is someone else's now: nothing to write.
    if (reason === 'lease-lost') log(`[worker ${id}] job ${jobId} lost its lease before it started`);
    else endQueued(queued, (ref) => ends.cancel(ref, handlers[queued.kind]?.contract.retentionMs ?? defaultRetentionMs));
    wake();
  }

  return {
    id,
    get activeJobs() {
      return running;
    },
    async start() {
      handlers = await loadHandlers(config.handlersModule);
      // No threads at all for a worker whose handlers all run inline.
      if (Object.values(handlers).some((handler) => handler.isolation === 'thread')) {
        threads = await startHandlerThreads({
          handlersModule: config.handlersModule,
          count: config.concurrency,
          workerId: id,
          memoryMb: config.handlerMemoryMb,
          log,
        });
        threads.onProgress((message) => {
          const run = active.get(message.jobId);
          if (run?.job.attempt === message.attempt) run.progress(message);
        });
      }
      notifications = listenForJobs(
        options.database.listenUrl,
        { onJob: wake, onCancel: (jobId) => { abort(jobId, 'cancelled'); } },
        { pool, probeIntervalMs: config.listenProbeIntervalMs, log },
      );
      // Started means listening: a cancellation sent right after start() must not be missed.
      await notifications.ready;
      stopMaintenance = startMaintenance(pool, handlers, config, wake);
      const held = (): string[] => [...queue.ids(), ...active.keys()];
      timers = [
        // Without notifications (LISTEN behind a transaction-mode pooler), polling is all there is.
        setInterval(wake, notifications.pollOnly ? config.pollOnlyIntervalMs : config.pollIntervalMs),
        setInterval(() => void heartbeat(pool, id, held(), config, abort), Math.max(100, Math.floor(config.leaseMs / 4))),
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
    releaseQueued();
    await claiming;
    const finished = Promise.all([...active.values()].map((run) => run.done.catch(() => undefined)));
    const graceTimer = setTimeout(() => {
      for (const run of active.values()) run.abort('shutdown');
    }, graceMs);
    await finished;
    await Promise.all(endings);
    clearTimeout(graceTimer);
    // Listening lasts until the end: a cancellation may arrive during the grace period.
    await notifications?.close();
    await threads?.destroy();
  }
}
