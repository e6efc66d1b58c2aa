/** Why the main thread asks a handler to stop. */
export type AbortReason = 'timeout' | 'cancelled' | 'shutdown' | 'lease-lost';

/** What every handler thread gets when it starts (piscina's `workerData`). */
export interface ThreadData {
  /** The BroadcastChannel on which the worker asks handlers to stop. */
  abortChannel: string;
}

/** Loads the handlers before any job arrives, so that a broken module fails `start()`. */
export interface WarmupTask {
  type: 'warmup';
  handlersModule: string;
}

/** One job handed to a handler thread: a plain value, cheap to copy across. */
export interface ThreadTask {
  type: 'job';
  /** URL of the module whose `handlers` export holds the handler. */
  handlersModule: string;
  kind: string;
  jobId: string;
  attempt: number;
  /** Holds the job; files the handler writes are linked to the job only while it does. */
  workerId: string;
  /** The thread opens its own small pool on it, lazily, for the handler's files. */
  databaseUrl: string;
  input: unknown;
}

/** From a thread to the worker (piscina's `message` event), while its job runs. */
export interface ProgressMessage {
  type: 'progress';
  jobId: string;
  attempt: number;
  percent: number;
  message?: string | undefined;
  data?: unknown;
}

/** How both sides of the protocol name one attempt of one job (in maps of running or waiting attempts). */
export const attemptKey = (jobId: string, attempt: number): string => `${jobId}:${attempt}`;

/** From a thread to the worker when the handler of a job begins (its module loaded, its thread up). */
export interface StartedMessage {
  type: 'started';
  jobId: string;
  attempt: number;
}

/** From the worker to every thread (one broadcast): only the thread running that attempt acts on it. */
export interface AbortMessage {
  type: 'abort';
  jobId: string;
  attempt: number;
  reason: AbortReason;
}

export interface OutcomeFailure {
  code: string;
  message: string;
  retryable: boolean;
  stack?: string | undefined;
  /** For admins only (the attempt's history): see JobFailure. */
  detail?: string | undefined;
}

/**
 * How a handler ended. Errors lose their own fields when they cross a thread boundary (structured
 * clone keeps only message and stack), so a handler's end is a plain value instead of a throw.
 */
export type JobOutcome = { ok: true; output: unknown } | { ok: false; failure: OutcomeFailure };
