/**
 * Entry point of the handler threads (piscina). A handler runs here, off the worker's main
 * thread, so CPU-heavy analysis never blocks heartbeats, claims or other jobs, and a handler that
 * never yields can still be stopped: the main thread terminates this thread.
 */
import { openPool, type Database } from '@jobkit/db';
import { z } from 'zod';
import { JobFailure, type HandlerRegistry, type JobHandler } from './handler.ts';
import { jobFiles } from './job-files.ts';
import { loadHandlers } from './load-handlers.ts';
import type { AbortMessage, ThreadFailure, ThreadOutcome, ThreadTask, WarmupTask } from './thread-protocol.ts';

const registries = new Map<string, Promise<HandlerRegistry>>();

function registryAt(url: string): Promise<HandlerRegistry> {
  let registry = registries.get(url);
  if (!registry) {
    registry = loadHandlers(url);
    registries.set(url, registry);
  }
  return registry;
}

// Two connections per thread at most (a file read prefetches the next chunk while one is used),
// opened on first use: most jobs never touch files.
const pools = new Map<string, Database['pool']>();

function poolFor(url: string): Database['pool'] {
  let pool = pools.get(url);
  if (!pool) {
    pool = openPool(url, 2);
    pools.set(url, pool);
  }
  return pool;
}

async function handlerFor(task: ThreadTask): Promise<JobHandler> {
  const handler = (await registryAt(task.handlersModule))[task.kind];
  if (!handler) throw new JobFailure('UNKNOWN_KIND', `No handler for job kind "${task.kind}"`, { retryable: false });
  return handler;
}

const stackLines = 12;

function describeFailure(error: unknown, signal: AbortSignal): ThreadFailure {
  const stack = error instanceof Error ? error.stack?.split('\n').slice(0, stackLines).join('\n') : undefined;
  if (error instanceof JobFailure) {
    return { code: error.code, message: error.message, retryable: error.retryable, stack };
  }
  if (error instanceof z.ZodError) {
    return { code: 'INVALID_PAYLOAD', message: z.prettifyError(error), retryable: false, stack };
  }
  if (signal.aborted) return { code: 'ABORTED', message: 'The job was stopped', retryable: true, stack };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'HANDLER_ERROR', message, retryable: true, stack };
}

export default async function runTask(task: ThreadTask | WarmupTask): Promise<ThreadOutcome> {
  if (task.type === 'warmup') {
    await registryAt(task.handlersModule);
    return { ok: true, output: null };
  }
  const controller = new AbortController();
  task.port.on('message', (message: AbortMessage) => {
    controller.abort(new Error(`Job stopped: ${message.reason}`));
  });
  try {
    const handler = await handlerFor(task);
    const { contract } = handler;
    const input: unknown = contract.input.parse(task.input);
    const output: unknown = await handler.run({
      jobId: task.jobId,
      attempt: task.attempt,
      input,
      signal: controller.signal,
      files: jobFiles(poolFor(task.databaseUrl), { jobId: task.jobId, workerId: task.workerId, attempt: task.attempt }),
      progress(percent, message, data) {
        const parsed: unknown = data === undefined ? undefined : contract.progress.parse(data);
        task.port.postMessage({ type: 'progress', percent, message, data: parsed });
      },
    });
    // The result is stored as JSON and typed for clients by this same schema.
    return { ok: true, output: contract.output.parse(output) };
  } catch (error) {
    return { ok: false, failure: describeFailure(error, controller.signal) };
  } finally {
    task.port.close();
  }
}
