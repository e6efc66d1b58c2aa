import type { JobSchedule, TickPlan } from '@jobkit/contract/schedules';
import type { Queryable } from '@jobkit/db';
import { jobsChannel } from './notifications.ts';

/**
 * Whose scheduled jobs are: a user of their own, so admins see them as they see everyone's jobs and
 * no person's limits or lists are touched. No password: nobody signs in as it. Made with the first
 * schedule's row, and kept by the foreign key while a schedule names it.
 */
export const schedulerUser = { id: '00000000-0000-7000-8000-000000000001', email: 'scheduler@jobkit.invalid', name: 'Scheduler' } as const;

export interface ScheduleState {
  name: string;
  /** The newest tick dealt with (enqueued or skipped): the next pass looks after it. */
  lastTickAt: Date;
  lastEnqueuedTick: Date | null;
  /** The job of `lastEnqueuedTick`; retention may have deleted it since. */
  lastJobId: string | null;
  pausedAt: Date | null;
}

interface StateRow {
  name: string;
  last_tick_at: Date;
  last_enqueued_tick: Date | null;
  last_job_id: string | null;
  paused_at: Date | null;
}

const stateColumns = 'name, last_tick_at, last_enqueued_tick, last_job_id, paused_at';

function stateOf(row: StateRow): ScheduleState {
  return { name: row.name, lastTickAt: row.last_tick_at, lastEnqueuedTick: row.last_enqueued_tick, lastJobId: row.last_job_id, pausedAt: row.paused_at };
}

// The Scheduler user first, in the same statement: the foreign key is checked at its end.
const schedulerUserCte = `scheduler AS (
  INSERT INTO "user" (id, email, name, role) VALUES ('${schedulerUser.id}', '${schedulerUser.email}', '${schedulerUser.name}', 'user')
  ON CONFLICT (id) DO NOTHING)`;

// A new row's last_tick_at is now (its default): a schedule met for the first time owes no past ticks.
const ensureStatesSql = `
WITH ${schedulerUserCte}
INSERT INTO job_schedule (name, owner_id) SELECT unnest($1::text[]), '${schedulerUser.id}'
ON CONFLICT (name) DO NOTHING`;

/** Makes the state rows of the schedules that have none yet; existing ones are left as they are. */
export async function ensureScheduleStates(db: Queryable, names: readonly string[]): Promise<void> {
  await db.query(ensureStatesSql, [names]);
}

// The database's clock, not the caller's: every process then agrees on which ticks are due.
const readStatesSql = `
SELECT clock.now, ${stateColumns.split(', ').map((column) => `s.${column}`).join(', ')}
FROM (SELECT now()) AS clock(now) LEFT JOIN job_schedule s ON s.name = ANY($1::text[])`;

/** The states of these schedules (those that have a row) and the database's time. */
export async function readScheduleStates(db: Queryable, names: readonly string[]): Promise<{ now: Date; states: Map<string, ScheduleState> }> {
  const { rows } = await db.query<{ now: Date } & (StateRow | { [Column in keyof StateRow]: null })>(readStatesSql, [names]);
  const now = rows[0]?.now ?? new Date();
  const states = new Map<string, ScheduleState>();
  for (const row of rows) if (row.name !== null) states.set(row.name, stateOf(row));
  return { now, states };
}

// One statement: lock the state row only if it is as the plan found it (not paused, last_tick_at
// unchanged), insert a job per tick, move last_tick_at on. A concurrent pass of another process
// waits for the lock, then finds last_tick_at changed and does nothing, so each tick is enqueued
// once however many schedulers run. The idempotency key (schedule and tick) is a second guard, for
// a state moved back by hand. run_at is the tick: caught-up ticks run in their order.
const enqueueTicksSql = `
WITH state AS (
  SELECT name, owner_id FROM job_schedule
  WHERE name = $1 AND paused_at IS NULL AND last_tick_at = $2 AND $3::timestamptz > last_tick_at AND $3::timestamptz <= now()
  FOR UPDATE
), inserted AS (
  INSERT INTO job (id, kind, payload_version, input, owner_id, max_attempts, run_at, idempotency_key)
  SELECT jobkit_uuidv7(), $4, $5, $6::jsonb, state.owner_id, $7, t.tick, t.key
  FROM state, unnest($8::timestamptz[], $9::text[]) AS t(tick, key)
  ON CONFLICT (owner_id, kind, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING id, run_at
), advanced AS (
  UPDATE job_schedule SET
    last_tick_at = $3,
    last_enqueued_tick = coalesce((SELECT max(run_at) FROM inserted), job_schedule.last_enqueued_tick),
    last_job_id = coalesce((SELECT id FROM inserted ORDER BY run_at DESC LIMIT 1), job_schedule.last_job_id),
    updated_at = now()
  FROM state WHERE job_schedule.name = state.name
  RETURNING 1
), notified AS (
  SELECT pg_notify('${jobsChannel}', $4) FROM (SELECT 1 FROM inserted LIMIT 1) AS any_job
)
SELECT (SELECT count(*) FROM advanced)::int AS advanced, (SELECT count(*) FROM notified)::int AS notified,
  coalesce((SELECT json_agg(id ORDER BY run_at) FROM inserted), '[]'::json) AS job_ids`;

/** `schedule:<name>:<tick, ISO 8601 UTC>`: a job's tick, readable in the admin viewer. */
export function scheduledTickKey(name: string, tick: Date): string {
  return `schedule:${name}:${tick.toISOString()}`;
}

/**
 * Enqueues the plan's ticks and moves the schedule's state to `plan.cursor`, if its state is still
 * `expectedCursor` and it is not paused; otherwise nothing (`advanced: false`).
 */
export async function enqueueScheduledTicks(
  db: Queryable,
  schedule: Pick<JobSchedule, 'name' | 'kind' | 'payloadVersion' | 'maxAttempts' | 'input'>,
  expectedCursor: Date,
  plan: TickPlan,
): Promise<{ advanced: boolean; jobIds: string[] }> {
  const { rows } = await db.query<{ advanced: number; job_ids: string[] }>(enqueueTicksSql, [
    schedule.name,
    expectedCursor,
    plan.cursor,
    schedule.kind,
    schedule.payloadVersion,
    JSON.stringify(schedule.input),
    schedule.maxAttempts,
    plan.enqueue,
    plan.enqueue.map((tick) => scheduledTickKey(schedule.name, tick)),
  ]);
  return { advanced: (rows[0]?.advanced ?? 0) > 0, jobIds: rows[0]?.job_ids ?? [] };
}

// Pausing a schedule no worker has met yet makes its row, paused. A pause keeps last_tick_at, so
// on resume the schedule's missed-ticks policy decides what the pause missed.
const setPausedSql = `
WITH ${schedulerUserCte}
INSERT INTO job_schedule (name, owner_id, paused_at) VALUES ($1, '${schedulerUser.id}', CASE WHEN $2 THEN now() END)
ON CONFLICT (name) DO UPDATE SET
  paused_at = CASE WHEN $2 THEN coalesce(job_schedule.paused_at, now()) END,
  updated_at = now()
RETURNING ${stateColumns}`;

async function setPaused(db: Queryable, name: string, paused: boolean): Promise<ScheduleState> {
  const { rows } = await db.query<StateRow>(setPausedSql, [name, paused]);
  const [row] = rows;
  if (!row) throw new Error(`The state of schedule ${name} was neither made nor updated`);
  return stateOf(row);
}

/** No tick of this schedule is enqueued until it is resumed; pausing a paused one keeps its first pause. */
export function pauseSchedule(db: Queryable, name: string): Promise<ScheduleState> {
  return setPaused(db, name, true);
}

export function resumeSchedule(db: Queryable, name: string): Promise<ScheduleState> {
  return setPaused(db, name, false);
}
