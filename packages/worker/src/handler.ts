import type { JobContract, JobOutput, JobProgressData, ParsedJobInput } from '@jobkit/jobs';

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
  /** The file's bytes, chunk by chunk. */
  read(fileId: string): AsyncIterable<Uint8Array>;
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
   * steps; a handler that ignores it is stopped anyway, its thread terminated.
   */
  signal: AbortSignal;
  /** Reports progress (0-100, never backwards), a stage message and the kind's progress data. */
  progress: (percent: number, message?: string, data?: JobProgressData<C>) => void;
  files: HandlerFiles;
}

export interface JobHandler<C extends JobContract = JobContract> {
  contract: C;
  run(context: HandlerContext<C>): Promise<JobOutput<C>> | JobOutput<C>;
}

export function defineHandler<C extends JobContract>(
  contract: C,
  run: (context: HandlerContext<C>) => Promise<JobOutput<C>> | JobOutput<C>,
): JobHandler<C> {
  return { contract, run };
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
 * whatever attempts remain (bad input, a document that cannot be parsed...).
 */
export class JobFailure extends Error {
  override name = 'JobFailure';
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? true;
  }
}
