import type { AttemptRef, ClaimedJob, Database, ProgressReport } from '@jobkit/db';
import { retryDelayMs } from '@jobkit/jobs';
import type { AttemptEnds } from './attempt-ends.ts';
import { runInline, type Execution } from './execution.ts';
import type { JobHandler } from './handler.ts';
import type { HandlerThreads } from './handler-threads.ts';
import { jobFiles } from './job-files.ts';
import { ProgressWriter } from './progress-writer.ts';
import type { WorkerSettings } from './settings.ts';
import type { AbortReason, JobOutcome } from './thread-protocol.ts';
import { jobWebhooks } from './webhook-endpoints.ts';

/** One attempt of one job in this process: its handler at work, its deadline, and how it ends. */
export interface RunningJob {
  readonly job: ClaimedJob;
  /** Asks the handler to stop; one that ignores it is abandoned (its thread terminated). */
  abort(reason: AbortReason): void;
  /** Progress the handler reported. */
  progress(report: ProgressReport): void;
  /** Settles once the handler is over: its slot is free, while its end is being written. */
  readonly finished: Promise<void>;
  /** Settles once the attempt's end is written (or found to be no longer ours). */
  readonly done: Promise<void>;
}

export interface JobContext {
  database: Database;
  /** Absent when every handler of the worker runs inline. */
  threads: HandlerThreads | undefined;
  ends: AttemptEnds;
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

  const report = (update: ProgressReport): void => {
    if (over) return;
    progress ??= new ProgressWriter(pool, ref, config.progressIntervalMs, (error) => {
      config.log(`[worker ${ref.workerId}] progress of job ${job.id} not saved: ${String(error)}`);
    });
    progress.report(update);
  };

  const execute = (): Execution => {
    if (handler.isolation === 'inline') {
      return runInline(handler, {
        jobId: job.id,
        attempt: job.attempt,
        input: job.input,
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
      input: job.input,
    });
  };
  const execution = execute();

  const abort = (reason: AbortReason): void => {
    if (abortReason || over) return;
    abortReason = reason;
    execution.stop(reason);
    abandonTimer = setTimeout(() => {
      execution.abandon();
    }, config.abandonAfterMs);
  };
  const deadline = setTimeout(() => {
    abort('timeout');
  }, contract.timeoutMs);

  // The reason is read when the handler is over: an abort that comes later changes nothing.
  const finished = execution.outcome.then((result) => {
    over = true;
    clearTimeout(deadline);
    clearTimeout(abandonTimer);
    return { result, reason: abortReason };
  });
  const done = finished.then(async ({ result, reason }) => {
    await progress?.close();
    await record(result, reason);
  });

  // The one place an attempt's end is written, by the reason it ended.
  async function record(result: JobOutcome, reason: AbortReason | undefined): Promise<void> {
    switch (reason) {
      case 'lease-lost':
        return; // Someone else owns the job now; anything we wrote would be refused anyway.
      case 'shutdown':
        await ends.release(ref);
        return;
      case 'cancelled':
        await ends.cancel(ref, contract.retentionMs);
        return;
      case 'timeout':
      case undefined:
        break;
    }
    // A handler that finished just as its deadline passed still delivered: keep the result.
    if (result.ok) {
      await ends.complete({ ref, result: result.output, retentionMs: contract.retentionMs });
      return;
    }
    const failure =
      reason === 'timeout'
        ? { code: 'TIMEOUT', message: `The job did not finish within ${contract.timeoutMs} ms.`, retryable: true }
        : result.failure;
    await ends.fail({
      ref,
      failure: { code: failure.code, message: failure.message, stack: result.failure.stack, detail: result.failure.detail },
      retryable: failure.retryable,
      retryDelayMs: retryDelayMs(contract.backoff, job.attempt),
      retentionMs: contract.retentionMs,
      outcome: reason === 'timeout' ? 'timed_out' : 'failed',
    });
  }

  return { job, abort, progress: report, finished: finished.then(() => undefined), done };
}
