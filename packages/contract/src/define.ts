import { z } from 'zod';
import type { FileTypeName } from './files.ts';
import { boundedJson } from './json.ts';
import { checkVersionChain, upcastStoredInput, type PreviousInputs, type Upcasters } from './payload-versions.ts';

export const jobStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const jobStatusSchema = z.enum(jobStatuses);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** Statuses a job never leaves by itself: polling can stop once one is reached. */
export const terminalJobStatuses = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];
export type TerminalJobStatus = (typeof terminalJobStatuses)[number];

export function isTerminalStatus(status: JobStatus): status is TerminalJobStatus {
  return (terminalJobStatuses as readonly JobStatus[]).includes(status);
}

/** What a failed (or cancelled) job tells its caller: a stable code and a sentence for people. */
export const jobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: boundedJson({ maxDepth: 10, maxChars: 10_000 }).optional(),
});
export type JobError = z.infer<typeof jobErrorSchema>;

export interface JobContractSpec<
  Kind extends string,
  Input extends z.ZodType,
  Progress extends z.ZodType,
  Output extends z.ZodType,
  Version extends number = number,
  Previous extends PreviousInputs = PreviousInputs,
  Internal extends boolean = boolean,
> {
  /** Stable identifier, stored on every job row. */
  kind: Kind;
  /**
   * Bump when input, progress or output change shape; stored on the job as `payloadVersion`.
   * Workers claim only the versions they read, so a job queued by a newer server waits for a newer
   * worker (see `previous` for the other way round).
   */
  version: Version;
  /**
   * Input schemas of earlier versions whose queued jobs this version still runs, by version
   * (`{ 1: inputV1 }`), each with its step to the next version in `upcast`.
   */
  previous?: Previous;
  /** `upcast[n]` turns version n's parsed input into version n + 1's: `{ 1: (v1) => v2 }`. */
  upcast?: NoInfer<Upcasters<Version, Input, Previous>>;
  /** A name for people, shown in the web app. */
  title: string;
  input: Input;
  /** The shape of `progressData` a handler may report beside its percentage. */
  progress: Progress;
  output: Output;
  /** The deadline of one attempt. */
  timeoutMs: number;
  /** Attempts before the job fails for good (1 = no retry). */
  maxAttempts: number;
  /** How long a finished job is kept before the retention sweep deletes it. Default 24 h. */
  retentionMs?: number;
  /** Delay before each retry: exponential from `initialDelayMs`, capped, with jitter. */
  backoff?: Partial<Backoff>;
  /** Started by the system (webhook deliveries), never by API callers. */
  internal?: Internal;
  /**
   * Input fields that hold the id of an uploaded file, with the file types each accepts. The API
   * checks the file belongs to the caller and is of one of these types, and keeps it while the job
   * lives.
   */
  fileInputs?: { readonly [Field in keyof z.output<Input>]?: readonly FileTypeName[] };
}

export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetentionMs = 24 * 60 * 60 * 1000;
export const defaultBackoff: Backoff = { initialDelayMs: 1000, maxDelayMs: 5 * 60 * 1000 };

/**
 * The delay before retrying after failed attempt number `attempt` (1-based): initial × 2^(attempt-1),
 * capped, then scaled by a random 50-100% ("equal jitter") so a burst of failures does not retry
 * in lockstep.
 */
export function retryDelayMs(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(backoff.initialDelayMs * 2 ** Math.max(0, attempt - 1), backoff.maxDelayMs);
  return Math.round(exponential * (0.5 + random() / 2));
}

/**
 * Builds the schema of a job as clients see it (`jobs.getJob`). One per kind, so the union over
 * kinds is discriminated by `kind` and `result`/`progressData` carry that kind's types.
 * Timestamps are ISO strings: the same over tRPC, plain HTTP and in the browser.
 */
function snapshotSchemaFor<Kind extends string, Progress extends z.ZodType, Output extends z.ZodType>(
  kind: Kind,
  progress: Progress,
  output: Output,
) {
  const timestamp = z.iso.datetime({ offset: true });
  return z.object({
    id: z.uuid(),
    kind: z.literal(kind),
    payloadVersion: z.int(),
    status: jobStatusSchema,
    progress: z.int().min(0).max(100),
    progressMessage: z.string().nullable(),
    progressData: progress.nullable(),
    /** Today's output type; null without a result, or when the stored one does not fit it. */
    result: output.nullable(),
    /**
     * A stored result that does not fit today's output schema (made by another version of the
     * kind), as it was stored, with why it is not in `result`. Null otherwise.
     */
    storedResult: z.object({ payloadVersion: z.int(), reason: z.string(), data: z.json() }).nullable(),
    error: jobErrorSchema.nullable(),
    attempt: z.int(),
    maxAttempts: z.int(),
    cancelRequested: z.boolean(),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    updatedAt: timestamp,
    version: z.int(),
  });
}

export function defineJob<
  const Kind extends string,
  Input extends z.ZodType,
  Progress extends z.ZodType,
  Output extends z.ZodType,
  const Version extends number = number,
  const Previous extends PreviousInputs = PreviousInputs,
  const Internal extends boolean = false,
>({ previous, upcast, ...spec }: JobContractSpec<Kind, Input, Progress, Output, Version, Previous, Internal>) {
  if (!/^[a-z][a-zA-Z0-9]*$/.test(spec.kind)) {
    throw new Error(`Job kind "${spec.kind}" must be camelCase letters and digits`);
  }
  for (const [name, value] of [
    ['version', spec.version],
    ['timeoutMs', spec.timeoutMs],
    ['maxAttempts', spec.maxAttempts],
    ['retentionMs', spec.retentionMs ?? defaultRetentionMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`Job kind "${spec.kind}": ${name} must be a positive integer, got ${value}`);
    }
  }
  const backoff = { ...defaultBackoff, ...spec.backoff };
  const fileInputs: Readonly<Record<string, readonly FileTypeName[]>> = Object.fromEntries(
    Object.entries<readonly FileTypeName[] | undefined>(spec.fileInputs ?? {}).flatMap(([field, types]) =>
      types ? [[field, types]] : [],
    ),
  );
  if (backoff.initialDelayMs < 0 || backoff.maxDelayMs < backoff.initialDelayMs) {
    throw new Error(`Job kind "${spec.kind}": backoff needs 0 <= initialDelayMs <= maxDelayMs`);
  }
  const chain = { kind: spec.kind, version: spec.version, previous: previous ?? {}, upcast: upcast ?? {} };
  const previousVersions = checkVersionChain(chain);
  return Object.freeze({
    ...spec,
    /** Every version whose jobs this contract reads: the kept earlier ones and `version`. */
    readableVersions: Object.freeze([...previousVersions, spec.version]),
    /**
     * The input of a job stored as `payloadVersion`, taken to this version (then parsed by `input`
     * as usual). Throws a ZodError when it does not fit its own version's schema,
     * PayloadUpcastRefused when a step refuses it, UnreadablePayloadVersion for a version not kept.
     */
    upcastInput(payloadVersion: number, stored: unknown): unknown {
      return upcastStoredInput(chain, payloadVersion, stored);
    },
    retentionMs: spec.retentionMs ?? defaultRetentionMs,
    backoff,
    // `Internal` is inferred from `spec.internal` and defaults to false when it is absent, so the
    // literal type (which `StartableKind` reads) says what this value is.
    internal: (spec.internal ?? false) as Internal,
    fileInputs,
    snapshot: snapshotSchemaFor(spec.kind, spec.progress, spec.output),
  });
}

export type JobContract<
  Kind extends string = string,
  Input extends z.ZodType = z.ZodType,
  Progress extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
> = ReturnType<typeof defineJob<Kind, Input, Progress, Output, number, PreviousInputs, boolean>>;

/** What a caller sends to start a job of this kind. */
export type JobInput<C extends JobContract> = z.input<C['input']>;
/** The input a handler receives, after parsing. */
export type ParsedJobInput<C extends JobContract> = z.output<C['input']>;
export type JobProgressData<C extends JobContract> = z.input<C['progress']>;
export type JobOutput<C extends JobContract> = z.output<C['output']>;
export type JobSnapshotOf<C extends JobContract> = z.output<C['snapshot']>;
