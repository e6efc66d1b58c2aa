import type { JobContract, JobOutput, JobProgressData, ParsedJobInput } from '@jobkit/contract';
import type { HandlerWebhooks } from './webhook-endpoints.ts';

/** A stored file as handlers see it. Its bytes download at `/files/:id` (owner-checked). */
export interface StoredFileInfo {
  id: string;
  name: string;
  /** Decided from the content when the file was uploaded (magic bytes), not from the name. */
  contentType: string;
  size: number;
}

/**
 * The files of the job's owner, read and written through the database, so a worker on another
 * machine streams them just as well. Nothing is loaded whole: reads come in chunks of at most 1 MiB.
 */
export interface HandlerFiles {
  /** Metadata of a file this job's owner uploaded; a JobFailure (not retryable) if there is none. */
  info(fileId: string): Promise<StoredFileInfo>;
  /** The file's bytes, chunk by chunk, from `fromByte` (default 0) to the end. */
  read(fileId: string, options?: { fromByte?: number }): AsyncIterable<Uint8Array>;
  /** Stores a file this job produced (a report...), owned by the job's owner and deleted with the job. */
  write(file: { name: string; contentType: string }, content: AsyncIterable<Uint8Array> | Uint8Array): Promise<StoredFileInfo>;
}

/** What a handler gets to do its work. */
export interface HandlerContext<C extends JobContract> {
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Parsed and defaulted by the kind's input schema. */
  input: ParsedJobInput<C>;
  /**
   * Fires on timeout, cancellation or shutdown. Check it (or pass it to fetch, streams...) between
   * steps; a handler that ignores it is stopped anyway, its thread terminated (an inline one cannot
   * be: see HandlerIsolation).
   */
  signal: AbortSignal;
  /** Reports progress (0-100, never backwards), a stage message and the kind's progress data. */
  progress: (percent: number, message?: string, data?: JobProgressData<C>) => void;
  files: HandlerFiles;
  /** The job owner's webhook endpoints (the delivery handler signs with their secrets). */
  webhooks: HandlerWebhooks;
}

/**
 * Where a handler runs.
 *
 * - `thread` (the default): on a thread of the worker's pool. CPU-heavy work never blocks the
 *   worker's claims, heartbeats or other jobs, and a handler that ignores its signal is stopped
 *   anyway: its thread is terminated.
 * - `inline`: on the worker's main thread, without the hop to a thread and back (about 0.1 ms of
 *   CPU per job, most of what a trivial job costs the worker). For short, I/O-bound handlers
 *   that honour `signal`: webhook calls, requests to other services. Such a handler cannot be
 *   forced to stop: one that ignores its signal past the worker's `abandonAfterMs` has its attempt
 *   ended anyway and is left to run on, its result discarded; one that keeps the CPU busy holds up
 *   every job of the process, heartbeats included (its jobs may lose their leases).
 */
export type HandlerIsolation = 'thread' | 'inline';

export interface JobHandler<C extends JobContract = JobContract> {
  contract: C;
  isolation: HandlerIsolation;
  run(context: HandlerContext<C>): Promise<JobOutput<C>> | JobOutput<C>;
}

export function defineHandler<C extends JobContract>(
  contract: C,
  run: (context: HandlerContext<C>) => Promise<JobOutput<C>> | JobOutput<C>,
  options: { isolation?: HandlerIsolation } = {},
): JobHandler<C> {
  return { contract, run, isolation: options.isolation ?? 'thread' };
}

export type HandlerRegistry = Readonly<Record<string, JobHandler>>;

/** Keys the handlers by kind, refusing two handlers for one kind. */
export function registerHandlers(list: readonly JobHandler[]): HandlerRegistry {
  const registry: Record<string, JobHandler> = {};
  for (const handler of list) {
    const { kind } = handler.contract;
    if (Object.hasOwn(registry, kind)) throw new Error(`Two handlers for job kind "${kind}"`);
    registry[kind] = handler;
  }
  return Object.freeze(registry);
}

/** The newest payload version of each kind these handlers read: claims skip newer jobs. */
export function newestPayloadVersions(registry: HandlerRegistry): Readonly<Record<string, number>> {
  return Object.fromEntries(Object.values(registry).map((handler) => [handler.contract.kind, handler.contract.version]));
}

export function isHandlerRegistry(value: unknown): value is HandlerRegistry {
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).every(
    (handler: unknown) =>
      typeof handler === 'object' &&
      handler !== null &&
      'run' in handler &&
      typeof handler.run === 'function' &&
      'contract' in handler &&
      typeof handler.contract === 'object',
  );
}

/**
 * Throw this to fail the job with your own code and message. `retryable: false` fails it at once
 * whatever attempts remain (bad input, a document that cannot be parsed...). The message is for
 * the job's owner; `detail` (an address, a host, the underlying error) goes only to the attempt's
 * history, which admins see.
 */
export class JobFailure extends Error {
  override name = 'JobFailure';
  readonly code: string;
  readonly retryable: boolean;
  readonly detail: string | undefined;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown; detail?: string } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? true;
    this.detail = options.detail;
  }
}
