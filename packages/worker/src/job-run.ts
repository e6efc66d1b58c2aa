import {
  completeJob,
  failJob,
  finishCancelledJob,
  releaseJob,
  type AttemptRef,
  type ClaimedJob,
  type Database,
} from '@jobkit/db';
import { retryDelayMs } from '@jobkit/jobs';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { JobHandler } from './handler.ts';
import { ProgressWriter } from './progress-writer.ts';
import type { WorkerSettings } from './settings.ts';
import type { AbortReason, ProgressMessage, ThreadOutcome, ThreadTask } from './thread-protocol.ts';

/** One attempt of one job in this process: its thread task, its deadline, and how it ends. */
export interface RunningJob {
  readonly job: ClaimedJob;
  /** Asks the handler to stop; a handler that ignores it has its thread terminated. */
  abort(reason: AbortReason): void;
  /** Settles once the attempt's outcome is recorded (or found to be no longer ours). */
  readonly done: Promise<void>;
}

export function runJob(
  job: ClaimedJob,
  handler: JobHandler,
  context: { database: Database; threads: Piscina; workerId: string; config: WorkerSettings },
): RunningJob {
  const { threads, config } = context;
  const { pool } = context.database;
  const { contract } = handler;
  const ref: AttemptRef = { jobId: job.id, workerId: context.workerId, attempt: job.attempt };
  const channel = new MessageChannel();
  const terminate = new AbortController();
  const progress = new ProgressWriter(pool, ref, config.progressIntervalMs, (error) => {
    config.log(`[worker ${ref.workerId}] progress of job ${job.id} not saved: ${String(error)}`);
  });
  let abortReason: AbortReason | undefined;
  let abandonTimer: NodeJS.Timeout | undefined;

  const abort = (reason: AbortReason): void => {
    if (abortReason) return;
    abortReason = reason;
    channel.port1.postMessage({ type: 'abort', reason });
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
    workerId: context.workerId,
    databaseUrl: context.database.url,
    input: job.input,
    port: channel.port2,
  };
  const outcome: Promise<ThreadOutcome> = threads.run(task, { transferList: [channel.port2], signal: terminate.signal }).then(
    (result: ThreadOutcome) => result,
    (error: unknown): ThreadOutcome => ({
      ok: false,
      failure: { code: 'THREAD_STOPPED', message: String(error), retryable: true },
    }),
  );

  const done = outcome.then(async (result) => {
    clearTimeout(deadline);
    clearTimeout(abandonTimer);
    channel.port1.close();
    await progress.close();
    await record(result, abortReason);
  });

  // The one place an attempt's end is written, by the reason it ended.
  async function record(result: ThreadOutcome, reason: AbortReason | undefined): Promise<void> {
    switch (reason) {
      case 'lease-lost':
        return; // Someone else owns the job now; anything we wrote would be refused anyway.
      case 'shutdown':
        await releaseJob(pool, ref);
        return;
      case 'cancelled':
        await finishCancelledJob(pool, ref, contract.retentionMs);
        return;
      case 'timeout':
      case undefined:
        break;
    }
    // A handler that finished just as its deadline passed still delivered: keep the result.
    if (result.ok) {
      await completeJob(pool, ref, result.output, contract.retentionMs);
      return;
    }
    const failure =
      reason === 'timeout'
        ? { code: 'TIMEOUT', message: `The job did not finish within ${contract.timeoutMs} ms.`, retryable: true }
        : result.failure;
    await failJob(
      pool,
      ref,
      { code: failure.code, message: failure.message, stack: result.failure.stack },
      {
        retryable: failure.retryable,
        retryDelayMs: retryDelayMs(contract.backoff, job.attempt),
        retentionMs: contract.retentionMs,
        outcome: reason === 'timeout' ? 'timed_out' : 'failed',
      },
    );
  }

  return { job, abort, done };
}
