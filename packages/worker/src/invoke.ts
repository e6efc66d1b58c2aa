import { repairedForStorage, repairedTextForStorage } from '@jobkit/contract';
import { z } from 'zod';
import { JobFailure, type HandlerFiles, type JobHandler } from './handler.ts';
import type { JobOutcome, OutcomeFailure } from './thread-protocol.ts';
import type { HandlerWebhooks } from './webhook-endpoints.ts';

const stackLines = 12;

function describeFailure(error: unknown, signal: AbortSignal): OutcomeFailure {
  const stack = error instanceof Error ? error.stack?.split('\n').slice(0, stackLines).join('\n') : undefined;
  if (error instanceof JobFailure) {
    return { code: error.code, message: error.message, retryable: error.retryable, stack, detail: error.detail };
  }
  if (error instanceof z.ZodError) {
    return { code: 'INVALID_PAYLOAD', message: z.prettifyError(error), retryable: false, stack };
  }
  if (signal.aborted) return { code: 'ABORTED', message: 'The job was stopped', retryable: true, stack };
  // An error nobody planned for says what went wrong in the code's own terms (a file's path, a
  // host and port, a query): for admins, in the attempt's history. Its owner learns that it failed.
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'HANDLER_ERROR', message: 'The job failed on an unexpected error.', retryable: true, stack, detail };
}

export interface Invocation {
  jobId: string;
  attempt: number;
  input: unknown;
  signal: AbortSignal;
  files: HandlerFiles;
  webhooks: HandlerWebhooks;
  progress(percent: number, message: string | undefined, data: unknown): void;
}

/**
 * Runs a handler once, wherever it runs (its thread, or inline): the input parsed and defaulted by
 * the kind's schema, progress data and output checked by theirs, and everything it reports made
 * storable (see repairedForStorage in @jobkit/contract). It never throws: an error becomes a
 * failure the worker can record (its code says whether to retry).
 */
export async function invokeHandler(handler: JobHandler, call: Invocation): Promise<JobOutcome> {
  const { contract } = handler;
  try {
    const input: unknown = contract.input.parse(call.input);
    const output: unknown = await handler.run({
      jobId: call.jobId,
      attempt: call.attempt,
      input,
      signal: call.signal,
      files: call.files,
      webhooks: call.webhooks,
      progress(percent, message, data) {
        const parsed: unknown = data === undefined ? undefined : contract.progress.parse(data);
        call.progress(percent, message === undefined ? undefined : repairedTextForStorage(message), repairedForStorage(parsed));
      },
    });
    // The result is stored as JSON and typed for clients by this same schema.
    return { ok: true, output: repairedForStorage(contract.output.parse(output)) };
  } catch (error) {
    const failure = describeFailure(error, call.signal);
    const storable = (text: string | undefined) => (text === undefined ? undefined : repairedTextForStorage(text));
    return {
      ok: false,
      failure: { ...failure, message: repairedTextForStorage(failure.message), stack: storable(failure.stack), detail: storable(failure.detail) },
    };
  }
}
