import type { z } from 'zod';

/**
 * Earlier versions of a kind's input, kept so that jobs queued before a deploy still run after it.
 * Each earlier version n keeps its schema (`previous[n]`) and a step to version n + 1
 * (`upcast[n]`); a job stored as version n is parsed with its own schema and taken step by step to
 * today's version, then parsed by today's schema like any job.
 */
export type PreviousInputs = Readonly<Partial<Record<number, z.ZodType>>>;

// Position n holds n + 1: the version an upcaster of version n must produce. Versions past 32
// have no successor here, so their upcasters do not type-check (and defineJob refuses them).
type Successor = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33];
export const highestPayloadVersion = 32;

/** The schema of version `V`: today's input, or a kept earlier one; `never` for a version not kept. */
type SchemaOfVersion<V, Version extends number, Input extends z.ZodType, Previous extends PreviousInputs> = [V] extends [Version]
  ? Input
  : V extends keyof Previous
    ? NonNullable<Previous[V]>
    : never;

type NextVersion<V> = V extends keyof Successor & number ? Successor[V] : never;

/**
 * One step per kept version: it takes version n's parsed input and returns version n + 1's input
 * (as that version's schema accepts it). A step whose next version is neither kept nor today's
 * cannot return anything (its result type is `never`): the chain must be unbroken. A step that
 * cannot convert a job throws `PayloadUpcastRefused`.
 */
export type Upcasters<Version extends number, Input extends z.ZodType, Previous extends PreviousInputs> = {
  readonly [V in keyof Previous & number]-?: (
    previous: z.output<NonNullable<Previous[V]>>,
  ) => z.input<SchemaOfVersion<NextVersion<V>, Version, Input, Previous>>;
};

/**
 * Thrown by an upcaster for a job it cannot convert (the old input lacks something the new one
 * needs): the job fails for good with this code and message, which its owner reads.
 */
export class PayloadUpcastRefused extends Error {
  override name = 'PayloadUpcastRefused';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A stored version this code cannot read: newer than it knows, or an earlier one no longer kept. */
export class UnreadablePayloadVersion extends Error {
  override name = 'UnreadablePayloadVersion';
  readonly code = 'UNSUPPORTED_PAYLOAD_VERSION';
}

/**
 * A step with its types erased, so that every kind's steps fit one record. Declared as a method,
 * whose parameter TypeScript checks both ways, because the value it gets is always what the
 * step's own version's schema just parsed (see upcastStoredInput): the types hold at run time.
 */
interface ErasedStep {
  step(previous: unknown): unknown;
}

export interface VersionChain {
  kind: string;
  version: number;
  previous: Readonly<Record<number, z.ZodType | undefined>>;
  upcast: Readonly<Record<number, ErasedStep['step'] | undefined>>;
}

/** Checks at definition time what the types check at compile time: an unbroken chain of steps. */
export function checkVersionChain(chain: VersionChain): readonly number[] {
  const kept = Object.keys(chain.previous).map(Number);
  for (const version of kept) {
    const step = `Job kind "${chain.kind}": previous input version ${version}`;
    if (!Number.isInteger(version) || version < 1 || version >= chain.version) {
      throw new Error(`${step} must be a whole number from 1 to ${chain.version - 1}`);
    }
    if (typeof chain.upcast[version] !== 'function') throw new Error(`${step} has no upcast[${version}]`);
    if (version + 1 < chain.version && !chain.previous[version + 1]) {
      throw new Error(`${step} upcasts to version ${version + 1}, which is not kept in previous`);
    }
  }
  for (const version of Object.keys(chain.upcast).map(Number)) {
    if (!chain.previous[version]) throw new Error(`Job kind "${chain.kind}": upcast[${version}] has no previous[${version}] schema`);
  }
  if (chain.version > highestPayloadVersion) {
    throw new Error(`Job kind "${chain.kind}": version must be at most ${highestPayloadVersion}`);
  }
  return kept.sort((a, b) => a - b);
}

/**
 * The input of a job stored as `payloadVersion`, taken to today's version (still to be parsed by
 * today's schema). Throws a ZodError when it does not fit its own version's schema,
 * PayloadUpcastRefused when a step refuses it, UnreadablePayloadVersion for a version not kept.
 */
export function upcastStoredInput(chain: VersionChain, payloadVersion: number, stored: unknown): unknown {
  let value = stored;
  for (let version = payloadVersion; version < chain.version; version++) {
    const schema = chain.previous[version];
    const step = chain.upcast[version];
    if (!schema || !step) {
      throw new UnreadablePayloadVersion(
        `This ${chain.kind} job was queued as version ${payloadVersion}, which this version of Jobkit no longer reads ` +
          `(it reads ${chain.kind} ${readable(chain)}).`,
      );
    }
    value = step(schema.parse(value));
  }
  if (payloadVersion > chain.version) {
    throw new UnreadablePayloadVersion(
      `This ${chain.kind} job was queued as version ${payloadVersion}, newer than this worker reads (${chain.version}).`,
    );
  }
  return value;
}

function readable(chain: VersionChain): string {
  const versions = [...Object.keys(chain.previous).map(Number), chain.version].sort((a, b) => a - b);
  return `version${versions.length > 1 ? 's' : ''} ${versions.join(', ')}`;
}
