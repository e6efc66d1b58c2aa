import type { AttemptRef, ClaimedJob, ProgressReport } from '@jobkit/queue';
import type { Database } from '@jobkit/db';
import { retryDelayMs } from '@jobkit/contract';
import type { AttemptEnds } from './attempt-ends.ts';
import { persistently, type WriteOutcome } from './durable-write.ts';
import { runInline, type Execution } from './execution.ts';
import type { JobHandler } from './handler.ts';
import type { HandlerThreads } from './handler-threads.ts';
import type { Leases } from './heartbeat.ts';
import { jobFiles } from './job-files.ts';
import { jobLogger } from './logger.ts';
import type { AttemptEnd } from './observer.ts';
import { ProgressWriter } from './progress-writer.ts';
import { endRetryPastLeaseMs } from './lease-timing.ts';
import type { WorkerSettings } from './settings.ts';
import { handlerInput, refusedExecution } from './stored-input.ts';
import type { AbortReason, JobOutcome } from './thread-protocol.ts';
import { traceAttempt } from './tracing.ts';
import { jobWebhooks } from './webhook-endpoints.ts';

/** One attempt of one job in this process: its handler at work, its deadline, and how it ends. */
export interface RunningJob {
  readonly job: ClaimedJob;
  /** Asks the handler to stop; one that ignores it is abandoned (its thread terminated). */
  abort(reason: AbortReason): void;
  /**
   * Stops the handler because its lease may lapse before this worker can extend it (the database
   * is out of reach): whatever it produced, the job is given back (released) if that can still be
   * written, so it never runs here and elsewhere at once. True the first time it is asked.
   */
  fence(): boolean;
  /** Progress the handler reported. */
  progress(report: ProgressReport): void;
  /** Settles once the handler is over: its slot is free, while its end is being written. */
  readonly finished: Promise<void>;
  /** Settles once the attempt's end is written, found to be no longer ours, or given up (logged). Never rejects. */
  readonly done: Promise<void>;
}

export interface JobContext {
  database: Database;
  /** Absent when every handler of the worker runs inline. */
  threads: HandlerThreads | undefined;
  ends: AttemptEnds;
  leases: Leases;
  /** Told when this attempt's end failed to be written and is being tried again (true), and when that is over (false). */
  onEndRetrying(retrying: boolean): void;
  workerId: string;
  config: WorkerSettings;
}

export function runJob(job: ClaimedJob, handler: JobHandler, context: JobContext): RunningJob {
  const { ends, config } = context;
  const { pool } = context.database;
  const { contract } = handler;
  const ref: AttemptRef = { jobId: job.id, workerId: context.workerId, attempt: job.attempt };
  // Made on the first report: most jobs never report any.
  let progress: ProgressWriter | undefined;
  let abortReason: AbortReason | undefined;
  let abandonTimer: NodeJS.Timeout | undefined;
  let over = false;
  let fenced = false;
  let endRetrying = false;
  const log = jobLogger(config.logger, job);
  let progressFailed = false;
  config.observer.jobStarted({ kind: job.kind, waitedMs: job.waitedMs });
  log.debug({ waitedMs: job.waitedMs }, 'job started');
  const attemptTrace = traceAttempt(job, context.workerId);
  // The handler's own time: from when it begins (a thread may still be starting) to its outcome.
  let handlerBeganAt = performance.now();

  const report = (update: ProgressReport): void => {
    if (over) return;
    // Best effort: a lost report is superseded by the next one, or by the end.
    progress ??= new ProgressWriter(pool, ref, config.progressIntervalMs, (error) => {
      if (!progressFailed) log.warn({ err: error }, 'progress of this job not saved (later failures of this job not logged)');
      progressFailed = true;
    });
    progress.report(update);
  };

  const execute = (input: unknown): Execution => {
    if (handler.isolation === 'inline') {
      return runInline(handler, {
        jobId: job.id,
        attempt: job.attempt,
        input,
        files: jobFiles(pool, ref),
        webhooks: jobWebhooks(pool, job.id),
        progress: (percent, message, data) => {
          report({ percent, message, data });
        },
      });
    }
    if (!context.threads) throw new Error(`No handler threads for job kind "${job.kind}"`);
    return context.threads.run({
      type: 'job',
      handlersModule: config.handlersModule,
      kind: job.kind,
      jobId: job.id,
      attempt: job.attempt,
      workerId: context.workerId,
      databaseUrl: context.database.url,
      input,
    });
  };
  // A job queued as an earlier version is upcast here; one that cannot be ends as a failure at once.
  const stored = handlerInput(contract, job);
  const execution = stored.ok ? execute(stored.input) : refusedExecution(stored.failure);

  const abort = (reason: AbortReason): void => {
    if (abortReason || over) return;
    abortReason = reason;
    execution.stop(reason);
    abandonTimer = setTimeout(() => {
      execution.abandon();
    }, config.abandonAfterMs);
  };
  // The deadline counts the handler's own time: a job handed to a thread that is still starting
  // (one that replaces a terminated thread loads a loader and the handlers first, seconds on a
  // loaded machine) would otherwise time out before its handler ran at all.
  let deadline: NodeJS.Timeout | undefined;
  void execution.started.then(() => {
    if (over) return;
    handlerBeganAt = performance.now();
    deadline = setTimeout(() => {
      abort('timeout');
    }, contract.timeoutMs);
  });

  // The reason is read when the handler is over: an abort that comes later changes nothing.
  const finished = execution.outcome.then((result) => {
    over = true;
    clearTimeout(deadline);
    clearTimeout(abandonTimer);
    attemptTrace.handlerOver(result, abortReason);
    return { result, reason: abortReason, runMs: performance.now() - handlerBeganAt };
  });
  const done = finished.then(async ({ result, reason, runMs }) => {
    await progress?.close();
    const end = await attemptTrace.ending(() => (fenced ? releaseOrLeave() : record(result, reason, runMs)));
    config.observer.jobEnded({ kind: job.kind, end, runMs });
  });

  /**
   * Writes an end, trying again while the attempt still holds its lease and a little past it (the
   * SQL guard refuses a late write once the job is someone else's).
   */
  async function deliver<T>(what: string, write: () => Promise<T>): Promise<WriteOutcome<T>> {
    const outcome = await persistently(
      write,
      () => context.leases.lapsesAt(job.id) + endRetryPastLeaseMs(config.leaseMs),
      (error) => {
        endRetrying = true;
        context.onEndRetrying(true);
        log.warn({ err: error, end: what }, 'the end of this job was not written, trying again while its lease holds');
      },
    );
    if (endRetrying) context.onEndRetrying(false);
    endRetrying = false;
    if (!outcome.written) log.error({ err: outcome.error, end: what }, `could not record the end of job ${job.id}`);
    return outcome;
  }

  /** The guard refused the end: the lease lapsed before it was written, and the job is someone else's. */
  function lostBeforeItsEnd(what: string): AttemptEnd {
    log.error({ end: what }, 'its lease was lost before its end was written: the job runs again elsewhere');
    return 'lost';
  }

  /** Gives the job back, or leaves it to the rescuer when even that cannot be written. */
  async function releaseOrLeave(): Promise<AttemptEnd> {
    const released = await deliver('release', () => ends.release(ref));
    if (!released.written) {
      log.error('job left to the rescuer: it runs again once its lease lapses');
      return 'lost';
    }
    if (!released.value) return lostBeforeItsEnd('release');
    log.info('job given back to the queue, its attempt not counted');
    return 'released';
  }

  // The one place an attempt's end is written, by the reason it ended. A result or failure that
  // could not be kept is not a failed attempt: the job is given back.
  async function record(result: JobOutcome, reason: AbortReason | undefined, runMs: number): Promise<AttemptEnd> {
    switch (reason) {
      case 'lease-lost':
        // Someone else owns the job now; anything we wrote would be refused anyway.
        log.error('its lease was lost: its handler was stopped and whatever it produced is dropped');
        return 'lost';
      case 'shutdown':
        return releaseOrLeave();
      case 'cancelled': {
        const cancelled = await deliver('cancelled', () => ends.cancel(ref, contract.retentionMs));
        if (!cancelled.written) return releaseOrLeave();
        if (!cancelled.value) return lostBeforeItsEnd('cancelled');
        log.info('job cancelled');
        return 'cancelled';
      }
      case 'timeout':
      case undefined:
        break;
    }
    // A handler that finished just as its deadline passed still delivered: keep the result.
    if (result.ok) {
      const completion = { ref, result: result.output, retentionMs: contract.retentionMs };
      const completed = await deliver('completed', () => ends.complete(completion));
      if (!completed.written) return releaseOrLeave();
      if (!completed.value) return lostBeforeItsEnd('completed');
      log.debug({ runMs }, 'job completed');
      return 'completed';
    }
    const failure =
      reason === 'timeout'
        ? { code: 'TIMEOUT', message: `The job did not finish within ${contract.timeoutMs} ms.`, retryable: true }
        : result.failure;
    const end = {
      ref,
      failure: { code: failure.code, message: failure.message, stack: result.failure.stack, detail: result.failure.detail },
      retryable: failure.retryable,
      retryDelayMs: retryDelayMs(contract.backoff, job.attempt),
      retentionMs: contract.retentionMs,
      outcome: reason === 'timeout' ? ('timed_out' as const) : ('failed' as const),
    };
    const failed = await deliver('failed', () => ends.fail(end));
    if (!failed.written) return releaseOrLeave();
    // The stack and detail are for whoever runs the worker: the owner reads the message only.
    const why = { code: failure.code, message: failure.message, detail: result.failure.detail, stack: result.failure.stack, runMs };
    switch (failed.value) {
      case null:
        return lostBeforeItsEnd('failed');
      case 'queued':
        log.warn({ ...why, retryInMs: end.retryDelayMs }, 'attempt failed: the job will be tried again');
        return 'retried';
      case 'failed':
        log.error(why, failure.retryable ? 'job failed: it used up its attempts' : 'job failed: its failure is not retryable');
        return 'failed';
    }
  }

  const fence = (): boolean => {
    if (over || fenced) return false;
    fenced = true;
    abort('lease-lost');
    return true;
  };

  return {
    job,
    abort,
    fence,
    progress: report,
    finished: finished.then(() => undefined),
    done,
  };
}
