import {
  claimJobs,
  completeJob,
  extendLeases,
  failJob,
  listenForJobs,
  type ClaimedJob,
  type JobNotifications,
} from '@jobkit/db';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { loadHandlers } from './load-handlers.ts';
import { ProgressWriter } from './progress-writer.ts';
import { settings, type WorkerOptions, type WorkerSettings } from './settings.ts';
import type { AbortReason, ProgressMessage, ThreadOutcome, ThreadTask, WarmupTask } from './thread-protocol.ts';
import type { HandlerRegistry } from './handler.ts';

export interface Worker {
  readonly id: string;
  /** Jobs running now in this process. */
  readonly activeJobs: number;
  start(): Promise<void>;
  /** Stops claiming, lets running jobs finish within `graceMs`, then stops the rest. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

interface ActiveJob {
  job: ClaimedJob;
  abort(reason: AbortReason): void;
  done: Promise<void>;
}

const threadEntry = new URL('./thread-bootstrap.mjs', import.meta.url).href;

export function createWorker(options: WorkerOptions): Worker {
  const config: WorkerSettings = settings(options);
  const { pool } = options.database;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const active = new Map<string, ActiveJob>();
  let handlers: HandlerRegistry = {};
  let threads: Piscina | undefined;
  let notifications: JobNotifications | undefined;
  let timers: NodeJS.Timeout[] = [];
  let stopping = false;
  let claimWanted = false;
  let claiming: Promise<void> | undefined;

  const log = config.log;

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
        for (const job of jobs) run(job);
      }
    } catch (error) {
      log(`[worker ${id}] claim failed, will retry: ${String(error)}`);
    } finally {
      claiming = undefined;
    }
  }

  function run(job: ClaimedJob): void {
    const handler = handlers[job.kind];
    if (!handler || !threads) return;
    const ref = { jobId: job.id, workerId: id, attempt: job.attempt };
    const { contract } = handler;
    const channel = new MessageChannel();
    const terminate = new AbortController();
    const progress = new ProgressWriter(pool, ref, config.progressIntervalMs, (error) => {
      log(`[worker ${id}] progress of job ${job.id} not saved: ${String(error)}`);
    });
    let abortReason: AbortReason | undefined;
    let abandonTimer: NodeJS.Timeout | undefined;

    const abort = (reason: AbortReason): void => {
      if (abortReason) return;
      abortReason = reason;
      channel.port1.postMessage({ type: 'abort', reason });
      // A handler that ignores its signal is not waited for: its thread is terminated.
      abandonTimer = setTimeout(() => {
        terminate.abort();
      }, config.abandonAfterMs);
    };
    const deadline = setTimeout(() => {
      abort('timeout');
    }, contract.timeoutMs);

    channel.port1.on('message', (message: ProgressMessage) => {
      progress.report(message);
    });
    const task: ThreadTask = {
      type: 'job',
      handlersModule: config.handlersModule,
      kind: job.kind,
      jobId: job.id,
      attempt: job.attempt,
      input: job.input,
      port: channel.port2,
    };
    const threadRun: Promise<ThreadOutcome> = threads
      .run(task, { transferList: [channel.port2], signal: terminate.signal })
      .then(
        (outcome: ThreadOutcome) => outcome,
        (error: unknown): ThreadOutcome => ({
          ok: false,
          failure: { code: 'THREAD_STOPPED', message: String(error), retryable: true },
        }),
      );

    const done = threadRun
      .then(async (outcome) => {
        clearTimeout(deadline);
        clearTimeout(abandonTimer);
        channel.port1.close();
        await progress.close();
        await finish(job, outcome, abortReason);
      })
      .catch((error: unknown) => {
        log(`[worker ${id}] could not record the end of job ${job.id}: ${String(error)}`);
      })
      .finally(() => {
        active.delete(job.id);
        wake();
      });
    active.set(job.id, { job, abort, done });
  }

  async function finish(job: ClaimedJob, outcome: ThreadOutcome, abortReason: AbortReason | undefined): Promise<void> {
    const handler = handlers[job.kind];
    if (!handler) return;
    const ref = { jobId: job.id, workerId: id, attempt: job.attempt };
    const retentionMs = handler.contract.retentionMs;
    // The job is no longer ours (lease lost) or is being handed back: nothing to record here.
    if (abortReason === 'lease-lost' || abortReason === 'shutdown') return;
    if (outcome.ok) {
      await completeJob(pool, ref, outcome.output, retentionMs);
      return;
    }
    const timedOut = abortReason === 'timeout';
    const failure = timedOut
      ? { code: 'TIMEOUT', message: `The job did not finish within ${handler.contract.timeoutMs} ms`, retryable: true }
      : outcome.failure;
    await failJob(pool, ref, { code: failure.code, message: failure.message, stack: outcome.failure.stack }, {
      retryable: failure.retryable,
      retryDelayMs: config.retryDelayMs(job.attempt),
      retentionMs,
      outcome: timedOut ? 'timed_out' : 'failed',
    });
  }

  async function heartbeat(): Promise<void> {
    if (active.size === 0) return;
    try {
      const sent = [...active.keys()];
      const held = new Set((await extendLeases(pool, id, sent, config.leaseMs)).map((lease) => lease.id));
      // Only the jobs this heartbeat asked about: one claimed or finished meanwhile proves nothing.
      for (const jobId of sent) {
        if (!held.has(jobId)) active.get(jobId)?.abort('lease-lost');
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
      notifications = listenForJobs(options.database.url, () => {
        wake();
      }, log);
      timers = [
        setInterval(wake, config.pollIntervalMs),
        setInterval(() => void heartbeat(), Math.max(100, Math.floor(config.leaseMs / 3))),
      ];
      for (const timer of timers) timer.unref();
      wake();
    },
    async stop({ graceMs = config.shutdownGraceMs } = {}) {
      stopping = true;
      for (const timer of timers) clearInterval(timer);
      await notifications?.close();
      await claiming;
      const finished = Promise.all([...active.values()].map((running) => running.done));
      const graceTimer = setTimeout(() => {
        for (const running of active.values()) running.abort('shutdown');
      }, graceMs);
      await finished;
      clearTimeout(graceTimer);
      await threads?.destroy();
    },
  };
}
