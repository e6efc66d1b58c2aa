import type { ClaimedJob } from '@jobkit/queue';
import { PayloadUpcastRefused, repairedTextForStorage, UnreadablePayloadVersion, type JobContract } from '@jobkit/contract';
import { z } from 'zod';
import type { Execution } from './execution.ts';
import type { OutcomeFailure } from './thread-protocol.ts';

/** A job's input as its handler's version reads it, or why it cannot have one. */
export type HandlerInput = { ok: true; input: unknown } | { ok: false; failure: OutcomeFailure };

/**
 * Takes a claimed job's stored input to the version its handler reads (see `previous` and
 * `upcast` in defineJob), on the worker's main thread, before the handler is started: a job queued
 * before a deploy runs after it. None of these failures is worth another attempt: the same input
 * and the same code give the same answer, so each fails the job for good, with its reason.
 */
export function handlerInput(contract: JobContract, job: ClaimedJob): HandlerInput {
  try {
    return { ok: true, input: contract.upcastInput(job.payloadVersion, job.input) };
  } catch (error) {
    return { ok: false, failure: describeUpcastFailure(error, job) };
  }
}

function describeUpcastFailure(error: unknown, job: ClaimedJob): OutcomeFailure {
  const stack = error instanceof Error ? error.stack : undefined;
  const failure = (code: string, message: string, detail?: string): OutcomeFailure => ({
    code,
    message: repairedTextForStorage(message),
    retryable: false,
    stack: stack === undefined ? undefined : repairedTextForStorage(stack),
    detail: detail === undefined ? undefined : repairedTextForStorage(detail),
  });
  if (error instanceof PayloadUpcastRefused) return failure(error.code, error.message);
  if (error instanceof UnreadablePayloadVersion) return failure(error.code, error.message);
  if (error instanceof z.ZodError) {
    return failure('INVALID_PAYLOAD', `The input stored as ${job.kind} version ${job.payloadVersion} does not fit that version: ${z.prettifyError(error)}`);
  }
  // A bug in an upcaster: its owner learns the job could not be converted, admins read why.
  const detail = error instanceof Error ? error.message : String(error);
  return failure('UPCAST_FAILED', `This job, queued as ${job.kind} version ${job.payloadVersion}, could not be converted to the version this worker runs.`, detail);
}

/** The execution of a job whose input could not be had: it ends at once, as a failure. */
export function refusedExecution(failure: OutcomeFailure): Execution {
  return {
    outcome: Promise.resolve({ ok: false, failure }),
    started: Promise.resolve(),
    stop: () => undefined,
    abandon: () => undefined,
  };
}
