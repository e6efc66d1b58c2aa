import type { MessagePort } from 'node:worker_threads';

/** Why the main thread asks a handler to stop. */
export type AbortReason = 'timeout' | 'cancelled' | 'shutdown' | 'lease-lost';

/** Loads the handlers before any job arrives, so that a broken module fails `start()`. */
export interface WarmupTask {
  type: 'warmup';
  handlersModule: string;
}

/** One job handed to a handler thread. */
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
  /** Progress goes out on it; abort requests come in on it. */
  port: MessagePort;
}

export interface ProgressMessage {
  type: 'progress';
  percent: number;
  message?: string | undefined;
  data?: unknown;
}

export interface AbortMessage {
  type: 'abort';
  reason: AbortReason;
}

export interface ThreadFailure {
  code: string;
  message: string;
  retryable: boolean;
  stack?: string | undefined;
}

/**
 * Errors lose their own fields when they cross a thread boundary (structured clone keeps only
 * message and stack), so the thread answers with a plain value instead of throwing.
 */
export type ThreadOutcome = { ok: true; output: unknown } | { ok: false; failure: ThreadFailure };
