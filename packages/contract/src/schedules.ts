import { Cron } from 'croner';
import type { JobContract, JobInput } from './define.ts';
import { storableValue } from './storable.ts';

/**
 * What a pass does with ticks it finds missed (the schedule was paused, or no scheduler ran when
 * they came): `skip` them, or enqueue the newest `catchUp` of them, oldest first.
 */
export type MissedTicks = 'skip' | { readonly catchUp: number };

/** The most missed ticks one schedule may catch up: each pass stays one small statement. */
export const maxCatchUpTicks = 100;

/**
 * The newest due tick is the current one, and enqueued, when it came at most this long ago: a
 * scheduler that sees a per-minute tick 20 s late still runs it, a daily one seen hours after its
 * time counts it missed. Every older due tick is missed.
 */
export const currentTickToleranceMs = 60_000;

/** Kinds the system starts (deliveries, tracked jobs) have no place on a schedule: the type says so too. */
export type SchedulableContract = JobContract & { readonly internal: false };

export interface ScheduleSpec<C extends SchedulableContract> {
  /** Stable: the key of the schedule's state in the database and of its jobs' idempotency keys. */
  name: string;
  /** Five fields (minute first) or six (second first), croner's syntax: `0 30 2 * * *`, `@daily`. */
  cron: string;
  /** The IANA time zone the expression is read in: `Europe/Berlin`, `UTC`. */
  timeZone: string;
  job: C;
  /** Checked against the kind's input schema here, once, and stored as it parses. */
  input: JobInput<C>;
  missedTicks: MissedTicks;
}

/** What one pass enqueues (oldest first), and the tick the schedule's state moves on to. */
export interface TickPlan {
  enqueue: Date[];
  cursor: Date;
}

export interface JobSchedule {
  readonly name: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly kind: string;
  readonly payloadVersion: number;
  readonly maxAttempts: number;
  /** The input as the kind's schema parsed it: what each job stores. */
  readonly input: unknown;
  readonly missedTicks: MissedTicks;
  /** The first tick after `at`, or null when the expression fires no more. */
  nextTickAfter(at: Date): Date | null;
  /** What a pass at `now` enqueues, when the newest tick dealt with is `cursor`; null when no tick is due. */
  ticksDue(cursor: Date, now: Date): TickPlan | null;
}

export type ScheduleRegistry = Readonly<Record<string, JobSchedule>>;

export class ScheduleDefinitionError extends Error {
  override readonly name = 'ScheduleDefinitionError';
  constructor(schedule: string, reason: string) {
    super(`Schedule "${schedule}": ${reason}`);
  }
}

const namePattern = /^[a-z][a-z0-9-]{0,62}$/;

function issuesText(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`).join('; ');
}

function parsedCron(name: string, cron: string, timeZone: string): Cron {
  try {
    // Croner only converts to a zone when it computes a date, so a bad zone is found here instead.
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ScheduleDefinitionError(name, `"${timeZone}" is not an IANA time zone (such as "Europe/Berlin" or "UTC")`);
  }
  let parsed: Cron;
  try {
    parsed = new Cron(cron, { timezone: timeZone });
  } catch (error) {
    throw new ScheduleDefinitionError(name, `the cron expression "${cron}" is not valid: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed.nextRun() === null) throw new ScheduleDefinitionError(name, `the cron expression "${cron}" never fires`);
  return parsed;
}

function checkedInput<C extends SchedulableContract>(spec: ScheduleSpec<C>): unknown {
  const storable = storableValue.safeParse(spec.input);
  if (!storable.success) throw new ScheduleDefinitionError(spec.name, `its input cannot be stored: ${issuesText(storable.error.issues)}`);
  const parsed = spec.job.input.safeParse(spec.input);
  if (!parsed.success) {
    throw new ScheduleDefinitionError(spec.name, `its input is not a valid ${spec.job.kind} input: ${issuesText(parsed.error.issues)}`);
  }
  const fields: unknown = parsed.data;
  for (const field of Object.keys(spec.job.fileInputs)) {
    if (typeof fields === 'object' && fields !== null && field in fields) {
      throw new ScheduleDefinitionError(spec.name, `${field} names an uploaded file, but scheduled jobs belong to the Scheduler user, who has no uploads`);
    }
  }
  return parsed.data;
}

/**
 * A recurring job of one kind, defined in code next to the kinds. Everything is checked here, at
 * import, so a schedule that could not run stops the process that defines it with its reason.
 */
export function defineSchedule<C extends SchedulableContract>(spec: ScheduleSpec<C>): JobSchedule {
  if (!namePattern.test(spec.name)) {
    throw new ScheduleDefinitionError(spec.name, 'a name is lowercase letters, digits and dashes (at most 63, a letter first)');
  }
  // The type refuses internal kinds already; this is for contracts typed loosely.
  const contract: JobContract = spec.job;
  if (contract.internal) throw new ScheduleDefinitionError(spec.name, `${spec.job.kind} jobs are started by the system, not on a schedule`);
  const { missedTicks } = spec;
  if (missedTicks !== 'skip' && !(Number.isInteger(missedTicks.catchUp) && missedTicks.catchUp >= 1 && missedTicks.catchUp <= maxCatchUpTicks)) {
    throw new ScheduleDefinitionError(spec.name, `catchUp is a whole number from 1 to ${maxCatchUpTicks}, got ${missedTicks.catchUp}`);
  }
  const cron = parsedCron(spec.name, spec.cron, spec.timeZone);
  const input = checkedInput(spec);
  const catchUp = missedTicks === 'skip' ? 0 : missedTicks.catchUp;
  return Object.freeze({
    name: spec.name,
    cron: spec.cron,
    timeZone: spec.timeZone,
    kind: spec.job.kind,
    payloadVersion: spec.job.version,
    maxAttempts: spec.job.maxAttempts,
    input,
    missedTicks,
    nextTickAfter: (at: Date) => cron.nextRun(at),
    ticksDue(cursor: Date, now: Date): TickPlan | null {
      // Croner's previous runs come before the whole second of their reference: the next second
      // makes a tick at exactly `now`'s second due.
      const reference = new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000);
      const due = cron.previousRuns(catchUp + 1, reference).filter((tick) => tick > cursor);
      const [newest, ...older] = due;
      if (!newest) return null;
      const isCurrent = now.getTime() - newest.getTime() <= currentTickToleranceMs;
      const caughtUp = (isCurrent ? older : due).slice(0, catchUp);
      const enqueue = [...(isCurrent ? [newest] : []), ...caughtUp].sort((a, b) => a.getTime() - b.getTime());
      return { enqueue, cursor: newest };
    },
  });
}

/** The app's schedules, keyed by name; two of one name are refused. */
export function registerSchedules(list: readonly JobSchedule[]): ScheduleRegistry {
  const registry: Record<string, JobSchedule> = {};
  for (const schedule of list) {
    if (Object.hasOwn(registry, schedule.name)) throw new Error(`Two schedules are named "${schedule.name}"`);
    registry[schedule.name] = schedule;
  }
  return Object.freeze(registry);
}

export function isScheduleRegistry(value: unknown): value is ScheduleRegistry {
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).every(
    (schedule: unknown) =>
      typeof schedule === 'object' &&
      schedule !== null &&
      'name' in schedule &&
      typeof schedule.name === 'string' &&
      'ticksDue' in schedule &&
      typeof schedule.ticksDue === 'function' &&
      'nextTickAfter' in schedule &&
      typeof schedule.nextTickAfter === 'function',
  );
}
