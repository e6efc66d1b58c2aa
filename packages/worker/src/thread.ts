/**
 * Entry point of the handler threads (piscina). A handler runs here, off the worker's main
 * thread, so CPU-heavy analysis never blocks heartbeats, claims or other jobs, and a handler that
 * never yields can still be stopped: the main thread terminates this thread.
 */
import { openPool, type Database } from '@jobkit/db';
import { BroadcastChannel, parentPort, workerData } from 'node:worker_threads';
import type { HandlerRegistry } from './handler.ts';
import { invokeHandler } from './invoke.ts';
import { jobFiles } from './job-files.ts';
import { loadHandlers } from './load-handlers.ts';
import { attemptKey, type AbortReason, type JobOutcome, type ProgressMessage, type StartedMessage, type ThreadTask, type WarmupTask } from './thread-protocol.ts';
import { jobWebhooks } from './webhook-endpoints.ts';

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

// The attempts running on this thread, and the stop requests that came before their job did (a
// request and its task travel on different channels, in either order). Every thread hears every
// request, so the early ones are kept for the latest few attempts only.
const running = new Map<string, AbortController>();
const early = new Map<string, AbortReason>();
const earlyKept = 100;

function onAbort(event: MessageEvent): void {
  const message: unknown = event.data;
  if (!isAbortMessage(message)) return;
  const key = attemptKey(message.jobId, message.attempt);
  const controller = running.get(key);
  if (controller) {
    controller.abort(new Error(`Job stopped: ${message.reason}`));
    return;
  }
  early.set(key, message.reason);
  for (const oldest of early.keys()) {
    if (early.size <= earlyKept) break;
    early.delete(oldest);
  }
}

function isAbortMessage(value: unknown): value is { jobId: string; attempt: number; reason: AbortReason } {
  return typeof value === 'object' && value !== null && 'type' in value && value.type === 'abort' && 'jobId' in value && 'attempt' in value;
}

function abortChannelName(data: unknown): string {
  if (typeof data === 'object' && data !== null && 'abortChannel' in data && typeof data.abortChannel === 'string') {
    return data.abortChannel;
  }
  throw new Error('Handler thread started without its abort channel (workerData.abortChannel)');
}

new BroadcastChannel(abortChannelName(workerData)).onmessage = onAbort;

export default async function runTask(task: ThreadTask | WarmupTask): Promise<JobOutcome> {
  const registry = await registryAt(task.handlersModule);
  if (task.type === 'warmup') return { ok: true, output: null };
  const handler = registry[task.kind];
  if (!handler) {
    return { ok: false, failure: { code: 'UNKNOWN_KIND', message: `No handler for job kind "${task.kind}"`, retryable: false } };
  }
  const key = attemptKey(task.jobId, task.attempt);
  const started: StartedMessage = { type: 'started', jobId: task.jobId, attempt: task.attempt };
  parentPort?.postMessage(started);
  const controller = new AbortController();
  running.set(key, controller);
  const stoppedEarly = early.get(key);
  if (stoppedEarly) controller.abort(new Error(`Job stopped: ${stoppedEarly}`));
  try {
    return await invokeHandler(handler, {
      jobId: task.jobId,
      attempt: task.attempt,
      input: task.input,
      signal: controller.signal,
      files: jobFiles(poolFor(task.databaseUrl), { jobId: task.jobId, workerId: task.workerId, attempt: task.attempt }),
      webhooks: jobWebhooks(poolFor(task.databaseUrl), task.jobId),
      progress(percent, message, data) {
        const report: ProgressMessage = { type: 'progress', jobId: task.jobId, attempt: task.attempt, percent, message, data };
        parentPort?.postMessage(report);
      },
    });
  } finally {
    running.delete(key);
    early.delete(key);
  }
}
