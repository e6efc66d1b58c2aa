import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Execution } from './execution.ts';
import type { WorkerLogger } from './logger.ts';
import {
  attemptKey,
  type AbortMessage,
  type JobOutcome,
  type OutcomeFailure,
  type ProgressMessage,
  type StartedMessage,
  type ThreadData,
  type ThreadTask,
  type WarmupTask,
} from './thread-protocol.ts';

// Built (this module is dist/handler-threads.js: `pnpm start`, `pnpm worker`), a thread runs the
// compiled dist/thread.js and loads no TypeScript loader. From the sources (tests, `tsx watch`), a
// bootstrap registers tsx first and then imports thread.ts.
const built = !import.meta.url.endsWith('.ts');
const threadEntry = new URL(built ? './thread.js' : './thread-bootstrap.mjs', import.meta.url).href;

/** The worker's pool of handler threads. */
export interface HandlerThreads {
  run(task: ThreadTask): Execution;
  /** Progress reported by the handlers on the threads. */
  onProgress(listener: (message: ProgressMessage) => void): void;
  destroy(): Promise<void>;
}

export interface HandlerThreadOptions {
  handlersModule: string;
  count: number;
  workerId: string;
  /** Each thread's heap ceiling (V8's old generation), in MB. */
  memoryMb: number;
  logger: WorkerLogger;
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

/**
 * Why a thread ended before its job did. Node terminates a thread that reaches its heap ceiling
 * (`ERR_WORKER_OUT_OF_MEMORY`) and piscina starts a new one in its place; the same input would
 * need the same memory again, so that attempt is not retried. Any other end of a thread (its
 * termination after a timeout or cancellation, a crash) may well go better on another attempt.
 */
function threadEnded(error: unknown, memoryMb: number): OutcomeFailure {
  if (hasCode(error, 'ERR_WORKER_OUT_OF_MEMORY')) {
    return {
      code: 'OUT_OF_MEMORY',
      message: `The analysis needed more than ${memoryMb} MB of memory and was stopped; a smaller input may fit.`,
      retryable: false,
    };
  }
  return { code: 'THREAD_STOPPED', message: 'The job’s handler thread stopped before the job ended.', retryable: true, detail: String(error) };
}

function isProgressMessage(value: unknown): value is ProgressMessage {
  return typeof value === 'object' && value !== null && 'type' in value && value.type === 'progress';
}

function isStartedMessage(value: unknown): value is StartedMessage {
  return typeof value === 'object' && value !== null && 'type' in value && value.type === 'started';
}

/**
 * Starts `count` threads and loads the handlers on each. Jobs go to them as plain values: a job's
 * progress comes back as messages of the pool's own (piscina's `message` event), and requests to
 * stop go out on one channel all threads hear. (A MessageChannel per job would make that routing
 * implicit, but creating and transferring its port costs more than a trivial job itself.)
 */
export async function startHandlerThreads(options: HandlerThreadOptions): Promise<HandlerThreads> {
  const { handlersModule, count, workerId, memoryMb } = options;
  const data: ThreadData = { abortChannel: `jobkit-abort:${workerId}` };
  const pool = new Piscina({
    filename: threadEntry,
    // Every thread is started up front and kept: a thread's first job would otherwise wait
    // for it to boot and load the handlers (about a second).
    maxThreads: count,
    minThreads: count,
    // Built, a thread resolves the workspace packages to their dist/ as this process does (the
    // "@jobkit/dist" export condition, which this process has: it resolved this module to dist/).
    // From the sources the bootstrap registers the TypeScript loader itself; inheriting the
    // parent's loader flags (tsx, vitest) would register a second one.
    execArgv: built ? ['--conditions=@jobkit/dist'] : [],
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
  // A thread that fails while it has no task (its job already ended) is replaced like any other;
  // unheard, piscina's 'error' event would end the whole process.
  pool.on('error', (error: unknown) => {
    options.logger.error({ err: error }, 'a handler thread failed between jobs');
  });
  // Each job handed over waits here until its thread says the handler began.
  const waitingToStart = new Map<string, () => void>();
  const markStarted = (key: string) => {
    waitingToStart.get(key)?.();
    waitingToStart.delete(key);
  };
  pool.on('message', (message: unknown) => {
    if (isStartedMessage(message)) markStarted(attemptKey(message.jobId, message.attempt));
  });
  const aborts = new BroadcastChannel(data.abortChannel);
  const warmup: WarmupTask = { type: 'warmup', handlersModule };
  try {
    await Promise.all(Array.from({ length: count }, () => pool.run(warmup)));
  } catch (error) {
    aborts.close();
    await pool.destroy();
    throw error;
  }
  return {
    run(task) {
      const terminate = new AbortController();
      const key = attemptKey(task.jobId, task.attempt);
      const started = new Promise<void>((resolve) => waitingToStart.set(key, resolve));
      const outcome = pool.run(task, { signal: terminate.signal }).then(
        (result: JobOutcome) => result,
        (error: unknown): JobOutcome => ({ ok: false, failure: threadEnded(error, memoryMb) }),
      );
      // A task that ends without beginning (its thread failed to start, it was abandoned while
      // queued) settles `started` too, so nothing waits on it for ever.
      void outcome.then(() => {
        markStarted(key);
      });
      return {
        outcome,
        started,
        stop(reason) {
          const message: AbortMessage = { type: 'abort', jobId: task.jobId, attempt: task.attempt, reason };
          aborts.postMessage(message);
        },
        // Terminating its thread is the one way to stop code that never yields.
        abandon() {
          terminate.abort();
        },
      };
    },
    onProgress(listener) {
      pool.on('message', (message: unknown) => {
        if (isProgressMessage(message)) listener(message);
      });
    },
    async destroy() {
      aborts.close();
      await pool.destroy();
    },
  };
}
