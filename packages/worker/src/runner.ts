import { claimJobs, listenForJobs, type AttemptRef, type ClaimedJob, type JobNotifications } from '@jobkit/queue';
import { defaultRetentionMs } from '@jobkit/contract';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { batchedAttemptEnds } from './attempt-ends.ts';
import { newestPayloadVersions, type HandlerRegistry } from './handler.ts';
import { watchNewerPayloadVersions } from './newer-versions.ts';
import { startHandlerThreads, type HandlerThreads } from './handler-threads.ts';
import { Leases } from './heartbeat.ts';
import { runJob, type RunningJob } from './job-run.ts';
import { persistently } from './durable-write.ts';
import { checkLeaseTiming, endRetryPastLeaseMs, fenceCheckIntervalMs, fenceMarginMs, heartbeatIntervalMs } from './lease-timing.ts';
import { loadHandlers } from './load-handlers.ts';
import { jobLogger } from './logger.ts';
import { LocalQueue } from './local-queue.ts';
import { startMaintenance } from './maintenance.ts';
import { loadSchedules, startScheduler, type Scheduler } from './scheduler.ts';
import { startWorkerRegistration, workerReadiness, type WorkerReadiness, type WorkerRegistration } from './registry.ts';
import { settings, type WorkerOptions, type WorkerSettings } from './settings.ts';
import { tracedClaim } from './tracing.ts';

export interface Worker {
  readonly id: string;
  /** Jobs running now in this process. */
  readonly activeJobs: number;
  /** Slots taken: handlers at work, and ended jobs whose end is still being written. */
  readonly busySlots: number;
  /** Jobs claimed ahead, waiting here for a free slot. */
  readonly prefetchedJobs: number;
  /** Whether it takes work now, and if not why: what a readiness probe (`/readyz`) reports. */
  readiness(): WorkerReadiness;
  start(): Promise<void>;
  /**
   * Stops claiming, gives back the jobs claimed ahead, lets running jobs finish within `graceMs`,
   * then stops the rest and gives them back to the queue too (not failed, the attempt not counted).
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** The longest wait between two claims while claims fail. */
const claimBackoffMaxMs = 5_000;

export function createWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const checked = settings(options);
  // Every line this worker logs names it.
  const config: WorkerSettings = { ...checked, logger: checked.logger.child({ workerId: id }) };
  const { logger, observer } = config;
  const { pool } = options.database;
  const ends = batchedAttemptEnds(pool);
  const queue = new LocalQueue(config.concurrency, config.prefetch);
  const leases = new Leases(pool, id, config, abort);
  // Every started job of this process, until its end is written; `running` counts those whose
  // handler has not finished: a slot is free again as soon as its handler is over.
  const active = new Map<string, RunningJob>();
  let running = 0;
  let handlers: HandlerRegistry = {};
  let threads: HandlerThreads | undefined;
  let notifications: JobNotifications | undefined;
  let stopMaintenance = (): void => undefined;
  let scheduler: Scheduler | undefined;
  let registration: WorkerRegistration | undefined;
  let stopVersionWatch = (): void => undefined;
  let timers: NodeJS.Timeout[] = [];
  // Heartbeats and fencing go on through a shutdown, until the last job has ended or been released.
  let leaseTimers: NodeJS.Timeout[] = [];
  let claimFailures = 0;
  let endsRetrying = 0;
  let claimRetryAt = 0;
  let claimRetryTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  let claimWanted = false;
  let claiming: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  const endings = new Set<Promise<unknown>>();

  function wake(): void {
    claimWanted = true;
    if (claiming || stopping) return;
    // After a failed claim, the next waits out its backoff, however many wake-ups come meanwhile.
    const wait = claimRetryAt - performance.now();
    if (wait > 0) {
      claimRetryTimer ??= setTimeout(() => {
        claimRetryTimer = undefined;
        wake();
      }, wait);
      claimRetryTimer.unref();
      return;
    }
    claiming = claimLoop();
  }

  /** Slots taken: handlers at work, and ended jobs whose end is being tried again (the database may be down). */
  function busySlots(): number {
    return running + endsRetrying;
  }

  // One claim at a time per process; a wake-up during a claim makes the loop go round again.
  async function claimLoop(): Promise<void> {
    // Yield first, so `claiming` is assigned before this function can reach its `finally`.
    await Promise.resolve();
    try {
      while (claimWanted && !stopping) {
        claimWanted = false;
        for (const request of queue.claims(busySlots(), Object.keys(handlers))) {
          // The leases are dated from before the claim is sent: never later than the database's.
          const sentAt = performance.now();
          const jobs = await tracedClaim(id, () =>
            claimJobs(pool, {
              workerId: id,
              kinds: request.kinds,
              newestPayloadVersions: newestPayloadVersions(handlers),
              limit: request.limit,
              leaseMs: config.leaseMs,
              fairSharePerOwner: config.fairSharePerUser,
            }),
          );
          leases.hold(jobs.map((job) => job.id), sentAt);
          queue.add(jobs);
          startQueued();
          if (claimFailures > 0) logger.info(`claims work again after ${claimFailures} failed`);
          claimFailures = 0;
          // Each later request's kinds are among this one's: a claim that came back short leaves none.
          if (jobs.length < request.limit) break;
        }
      }
    } catch (error) {
      // Capped exponential backoff: no hot loop against a database that is down or full.
      claimFailures++;
      claimRetryAt = performance.now() + Math.min(claimBackoffMaxMs, 50 * 2 ** claimFailures);
      claimWanted = true;
      if (claimFailures === 1) logger.error({ err: error }, 'claim failed, will retry with backoff');
    } finally {
      claiming = undefined;
    }
    // Jobs claimed while stopping began are given back with the rest of the queue.
    if (stopping) releaseQueued();
    else if (claimFailures > 0) wake();
  }

  function startQueued(): void {
    while (!stopping && busySlots() < config.concurrency) {
      const job = queue.take();
      if (!job) return;
      start(job);
    }
  }

  function start(job: ClaimedJob): void {
    const handler = handlers[job.kind];
    if (!handler) return;
    const startedAt = performance.now();
    const onEndRetrying = (retrying: boolean): void => {
      endsRetrying += retrying ? 1 : -1;
    };
    const run = runJob(job, handler, { database: options.database, threads, ends, leases, onEndRetrying, workerId: id, config });
    active.set(job.id, run);
    running++;
    void run.finished.then(() => {
      running--;
      queue.observe(job.kind, performance.now() - startedAt);
      startQueued();
      wake();
    });
    // Never rejects: an end that cannot be written is logged (and the job released) by the run.
    void run.done.then(() => {
        active.delete(job.id);
        leases.forget(job.id);
        // The database counts the job as running until its end is written (in a batch, after its
        // slot came free): with a fair share, the claims made meanwhile served its owner last.
        if (config.fairSharePerUser > 0) wake();
      });
  }

  // Writes the end of a job that never started here, tried again while its lease holds (heartbeats
  // go on for it meanwhile); stop() waits for these too.
  function endQueued(job: ClaimedJob, end: (ref: AttemptRef) => Promise<unknown>): void {
    const ref = { jobId: job.id, workerId: id, attempt: job.attempt };
    const jobLog = jobLogger(logger, job);
    const ending = persistently(
      () => end(ref),
      () => leases.lapsesAt(job.id) + endRetryPastLeaseMs(config.leaseMs),
      (error) => {
        jobLog.warn({ err: error }, 'the end of this job was not written, trying again while its lease holds');
      },
    ).then((outcome) => {
      if (!outcome.written) jobLog.error({ err: outcome.error }, `could not record the end of job ${job.id}`);
      leases.forget(job.id);
      endings.delete(ending);
    });
    endings.add(ending);
  }

  /**
   * Self-fencing: a handler whose lease this worker could not extend in time (the database out of
   * reach) is stopped before the lease lapses, so the rescuer never hands out a job still running
   * here; a job claimed ahead is given back instead of started.
   */
  function fenceLapsingLeases(): void {
    const fenceAt = performance.now() + fenceMarginMs(config);
    for (const run of active.values()) {
      if (leases.lapsesAt(run.job.id) <= fenceAt && run.fence()) {
        jobLogger(logger, run.job).error('its lease could not be extended in time, stopping its handler');
      }
    }
    for (const jobId of queue.ids()) {
      const queued = leases.lapsesAt(jobId) <= fenceAt ? queue.remove(jobId) : undefined;
      if (queued) endQueued(queued, (ref) => ends.release(ref));
    }
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
    if (reason === 'lease-lost') jobLogger(logger, queued).error(`job ${jobId} lost its lease before it started`);
    else endQueued(queued, (ref) => ends.cancel(ref, handlers[queued.kind]?.contract.retentionMs ?? defaultRetentionMs));
    wake();
  }

  return {
    id,
    get activeJobs() {
      return running;
    },
    get busySlots() {
      return busySlots();
    },
    get prefetchedJobs() {
      return queue.size;
    },
    readiness() {
      return workerReadiness({ started: registration !== undefined, stopping, lastReportAt: registration?.lastReportAt ?? null });
    },
    async start() {
      handlers = await loadHandlers(config.handlersModule);
      const schedules = await loadSchedules(config.handlersModule);
      // No threads at all for a worker whose handlers all run inline.
      if (Object.values(handlers).some((handler) => handler.isolation === 'thread')) {
        threads = await startHandlerThreads({
          handlersModule: config.handlersModule,
          count: config.concurrency,
          workerId: id,
          memoryMb: config.handlerMemoryMb,
          logger,
        });
        threads.onProgress((message) => {
          const run = active.get(message.jobId);
          if (run?.job.attempt === message.attempt) run.progress(message);
        });
      }
      notifications = listenForJobs(
        options.database.listenUrl,
        { onJob: wake, onCancel: (jobId) => { abort(jobId, 'cancelled'); } },
        {
          pool,
          probeIntervalMs: config.listenProbeIntervalMs,
          log: (message) => {
            logger.warn(message);
          },
          onReconnected: () => {
            observer.listenReconnected();
          },
        },
      );
      // Started means listening: a cancellation sent right after start() must not be missed.
      await notifications.ready;
      stopMaintenance = startMaintenance(pool, handlers, config, wake);
      scheduler = startScheduler(pool, schedules, config.logger);
      registration = await startWorkerRegistration(pool, { id, kinds: Object.keys(handlers), concurrency: config.concurrency }, () => running, logger);
      stopVersionWatch = watchNewerPayloadVersions(pool, handlers, (message) => {
        logger.info(message);
      });
      timers = [
        // Without notifications (LISTEN behind a transaction-mode pooler), polling is all there is.
        setInterval(wake, notifications.pollOnly ? config.pollOnlyIntervalMs : config.pollIntervalMs),
      ];
      leaseTimers = [
        setInterval(() => void leases.beat(), heartbeatIntervalMs(config.leaseMs)),
        setInterval(fenceLapsingLeases, fenceCheckIntervalMs(config.leaseMs)),
      ];
      for (const timer of [...timers, ...leaseTimers]) timer.unref();
      const timingNote = checkLeaseTiming(config);
      if (timingNote) logger.info(timingNote);
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
    clearTimeout(claimRetryTimer);
    stopMaintenance();
    await scheduler?.stop();
    stopVersionWatch();
    releaseQueued();
    await claiming;
    const finished = Promise.all([...active.values()].map((run) => run.done.catch(() => undefined)));
    const graceTimer = setTimeout(() => {
      for (const run of active.values()) run.abort('shutdown');
    }, graceMs);
    await finished;
    await Promise.all(endings);
    clearTimeout(graceTimer);
    await registration?.stop();
    for (const timer of leaseTimers) clearInterval(timer);
    // Listening lasts until the end: a cancellation may arrive during the grace period.
    await notifications?.close();
    await threads?.destroy();
  }
}
