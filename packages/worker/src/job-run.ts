import type { AttemptRef, ClaimedJob, ProgressReport } from '@jobkit/queue';
import type { Database } from '@jobkit/db';
import { retryDelayMs } from '@jobkit/contract';
import type { AttemptEnds } from './attempt-ends.ts';
import { persistently } from './durable-write.ts';
import { runInline, type Execution } from './execution.ts';
import type { JobHandler } from './handler.ts';
import type { HandlerThreads } from './handler-threads.ts';
import type { Leases } from './heartbeat.ts';
import { jobFiles } from './job-files.ts';
import { ProgressWriter } from './progress-writer.ts';
import { endRetryPastLeaseMs } from './lease-timing.ts';
import type { WorkerSettings } from './settings.ts';
import { handlerInput, refusedExecution } from './stored-input.ts';
import type { AbortReason, JobOutcome } from './thread-protocol.ts';
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
  const log = (message: string): void => {
    config.log(`[worker ${ref.workerId}] ${message}`);
  };
  let progressFailed = false;

  const report = (update: ProgressReport): void => {
    if (over) return;
    // Best effort: a lost report is superseded by the next one, or by the end.
    progress ??= new ProgressWriter(pool, ref, config.progressIntervalMs, (error) => {
      if (!progressFailed) log(`progress of job ${job.id} not saved (later failures of this job not logged): ${String(error)}`);
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
    deadline = setTimeout(() => {
      abort('timeout');
    }, contract.timeoutMs);
  });

  // The reason is read when the handler is over: an abort that comes later changes nothing.
  const finished = execution.outcome.then((result) => {
    over = true;
    clearTimeout(deadline);
    clearTimeout(abandonTimer);
    return { result, reason: abortReason };
  });
  const done = finished.then(async ({ result, reason }) => {
    await progress?.close();
    if (fenced) await releaseOrLeave();
    else await record(result, reason);
  });

  /**
   * Writes an end, trying again while the attempt still holds its lease and a little past it (the
   * SQL guard refuses a late write once the job is someone else's). False if it could not be written.
   */
  async function deliver(what: string, write: () => Promise<unknown>): Promise<boolean> {
    const outcome = await persistently(
      write,
      () => context.leases.lapsesAt(job.id) + endRetryPastLeaseMs(config.leaseMs),
      (error) => {
        endRetrying = true;
        context.onEndRetrying(true);
        log(`the end of job ${job.id} (${what}) was not written, trying again while its lease holds: ${String(error)}`);
      },
    );
    if (endRetrying) context.onEndRetrying(false);
    endRetrying = false;
    if (!outcome.written) log(`could not record the end of job ${job.id} (${what}): ${String(outcome.error)}`);
    return outcome.written;
  }

  /** Gives the job back, or leaves it to the rescuer when even that cannot be written. */
  async function releaseOrLeave(): Promise<void> {
    if (!(await deliver('release', () => ends.release(ref)))) {
      log(`job ${job.id} left to the rescuer: it runs again once its lease lapses`);
    }
  }

  /** A result or failure that could not be kept is not a failed attempt: the job is given back. */
  async function deliverOrRelease(what: string, write: () => Promise<unknown>): Promise<void> {
    if (await deliver(what, write)) return;
    await releaseOrLeave();
  }

  // The one place an attempt's end is written, by the reason it ended.
  async function record(result: JobOutcome, reason: AbortReason | undefined): Promise<void> {
    switch (reason) {
      case 'lease-lost':
        return; // Someone else owns the job now; anything we wrote would be refused anyway.
      case 'shutdown':
        await releaseOrLeave();
        return;
      case 'cancelled':
        await deliverOrRelease('cancelled', () => ends.cancel(ref, contract.retentionMs));
        return;
      case 'timeout':
      case undefined:
        break;
    }
    // A handler that finished just as its deadline passed still delivered: keep the result.
    if (result.ok) {
      const completion = { ref, result: result.output, retentionMs: contract.retentionMs };
      await deliverOrRelease('completed', () => ends.complete(completion));
      return;
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
    await deliverOrRelease('failed', () => ends.fail(end));
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
