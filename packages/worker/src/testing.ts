import type { JobContract } from '@jobkit/contract';
import { z } from 'zod';
import type { HandlerFiles, JobHandler } from './handler.ts';
import type { HandlerWebhooks } from './webhook-endpoints.ts';

export { jobWebhooks } from './webhook-endpoints.ts';

export { jobFiles } from './job-files.ts';

export interface RunHandlerOptions<Progress extends z.ZodType> {
  /** The job's files; `jobFiles(pool, attempt)` gives the real ones. Without it, using files throws. */
  files?: HandlerFiles;
  /** The owner's webhook endpoints; `jobWebhooks(pool, jobId)` gives a real job's. Without it, using them throws. */
  webhooks?: HandlerWebhooks;
  signal?: AbortSignal;
  onProgress?: (percent: number, message: string | undefined, data: z.output<Progress> | undefined) => void;
  jobId?: string;
  attempt?: number;
}

function noFiles(): never {
  throw new Error('This handler uses files: pass `files` to runHandler (jobFiles gives a real job’s files)');
}

const withoutFiles: HandlerFiles = { info: noFiles, read: noFiles, write: noFiles };

const withoutWebhooks: HandlerWebhooks = {
  endpoint() {
    throw new Error('This handler reads webhook endpoints: pass `webhooks` to runHandler (jobWebhooks gives a real job’s)');
  },
};

/**
 * Runs a handler once, here, as a worker would (input parsed and defaulted by the kind's schema,
 * progress data checked, output parsed), without a queue or threads: for unit tests of handlers.
 */
export async function runHandler<Kind extends string, Input extends z.ZodType, Progress extends z.ZodType, Output extends z.ZodType>(
  handler: JobHandler<JobContract<Kind, Input, Progress, Output>>,
  input: z.input<Input>,
  options: RunHandlerOptions<Progress> = {},
): Promise<z.output<Output>> {
  const { contract } = handler;
  const output = await handler.run({
    jobId: options.jobId ?? 'test-job',
    attempt: options.attempt ?? 1,
    input: z.parse(contract.input, input),
    signal: options.signal ?? new AbortController().signal,
    files: options.files ?? withoutFiles,
    webhooks: options.webhooks ?? withoutWebhooks,
    progress(percent, message, data) {
      options.onProgress?.(percent, message, data === undefined ? undefined : z.parse(contract.progress, data));
    },
  });
  return z.parse(contract.output, output);
}
export { capturedLog, countByStatus, endedJob, enqueue, silentLogger, waitFor, withWorker, type LogLine } from './test-helpers.ts';
