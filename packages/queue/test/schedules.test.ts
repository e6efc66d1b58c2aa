import { defineJob } from '@jobkit/contract';
import { defineSchedule, type MissedTicks } from '@jobkit/contract/schedules';
import { createTestDatabase, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { enqueueScheduledTicks, ensureScheduleStates, pauseSchedule, readScheduleStates, resumeSchedule, schedulerUser } from '../src/index.ts';

const report = defineJob({
  kind: 'report',
  version: 3,
  title: 'Report',
  input: z.object({ team: z.string(), days: z.int().default(7) }),
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 1_000,
  maxAttempts: 2,
});

// Every minute: the tests move the state back by whole minutes, so which ticks are due is exact.
const everyMinute = (missedTicks: MissedTicks) =>
  defineSchedule({ name: 'minutely-report', cron: '0 * * * * *', timeZone: 'UTC', job: report, input: { team: 'core' }, missedTicks });

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 10 });
});
afterAll(() => db.drop());

beforeEach(async () => {
  await db.pool.query('DELETE FROM job');
  await db.pool.query('DELETE FROM job_schedule');
});

/** As if no scheduler had run for `minutes`: the newest tick dealt with is that long ago. */
async function downFor(name: string, minutes: number): Promise<Date> {
  const { rows } = await db.pool.query<{ cursor: Date }>(
    `UPDATE job_schedule SET last_tick_at = date_trunc('minute', now()) - $2 * interval '1 minute' WHERE name = $1 RETURNING last_tick_at AS cursor`,
    [name, minutes],
  );
  const cursor = rows[0]?.cursor;
  if (!cursor) throw new Error(`no state row for ${name}`);
  return cursor;
}

/** One scheduler pass for one schedule: read its state, plan, enqueue. */
async function pass(schedule: ReturnType<typeof everyMinute>) {
  const { now, states } = await readScheduleStates(db.pool, [schedule.name]);
  const state = states.get(schedule.name);
  if (!state) throw new Error(`no state row for ${schedule.name}`);
  const plan = schedule.ticksDue(state.lastTickAt, now);
  return plan ? enqueueScheduledTicks(db.pool, schedule, state.lastTickAt, plan) : null;
}

async function scheduledJobs() {
  const { rows } = await db.pool.query<{ id: string; key: string; run_at: Date; owner_id: string; kind: string; payload_version: number; max_attempts: number; input: unknown }>(
    `SELECT id, idempotency_key AS key, run_at, owner_id, kind, payload_version, max_attempts, input FROM job ORDER BY run_at`,
  );
  return rows;
}

describe('scheduled ticks in SQL', () => {
  it('enqueues each due tick once, owned by the Scheduler, and moves the state in the same statement', async () => {
    const schedule = everyMinute({ catchUp: 2 });
    await ensureScheduleStates(db.pool, [schedule.name]);
    const cursor = await downFor(schedule.name, 10);
    const { now, states } = await readScheduleStates(db.pool, [schedule.name]);
    const plan = schedule.ticksDue(cursor, now);
    if (!plan) throw new Error('ten minutes down and no tick due');
    expect(plan.enqueue).toHaveLength(3); // the current minute and the two before it

    const first = await enqueueScheduledTicks(db.pool, schedule, cursor, plan);
    expect(first.advanced).toBe(true);
    expect(first.jobIds).toHaveLength(3);
    // The same plan again (another process that read the same state) finds the state moved on.
    expect(await enqueueScheduledTicks(db.pool, schedule, cursor, plan)).toEqual({ advanced: false, jobIds: [] });

    const jobs = await scheduledJobs();
    expect(jobs.map((job) => job.key)).toEqual(plan.enqueue.map((tick) => `schedule:minutely-report:${tick.toISOString()}`));
    expect(jobs.map((job) => job.run_at)).toEqual(plan.enqueue);
    expect(jobs[0]).toMatchObject({ owner_id: schedulerUser.id, kind: 'report', payload_version: 3, max_attempts: 2, input: { team: 'core', days: 7 } });
    const state = (await readScheduleStates(db.pool, [schedule.name])).states.get(schedule.name);
    expect(state).toMatchObject({ lastTickAt: plan.cursor, lastEnqueuedTick: plan.cursor, lastJobId: first.jobIds[2], pausedAt: null });
    expect(states.get(schedule.name)?.lastTickAt).toEqual(cursor);
  });

  it('makes one job per tick when three schedulers on their own connections run the same pass at once', async () => {
    const schedule = everyMinute({ catchUp: 5 });
    await ensureScheduleStates(db.pool, [schedule.name]);
    await downFor(schedule.name, 4);
    // Three connections of their own, each reading the state and sending its pass at once.
    const clients = await Promise.all([1, 2, 3].map(() => db.pool.connect()));
    try {
      const results = await Promise.all(
        clients.map(async (client) => {
          const { now, states } = await readScheduleStates(client, [schedule.name]);
          const state = states.get(schedule.name);
          if (!state) throw new Error(`no state row for ${schedule.name}`);
          const plan = schedule.ticksDue(state.lastTickAt, now);
          return plan ? enqueueScheduledTicks(client, schedule, state.lastTickAt, plan) : null;
        }),
      );
      expect(results.filter((result) => result?.advanced)).toHaveLength(1);
    } finally {
      for (const client of clients) client.release();
    }
    const keys = (await scheduledJobs()).map((job) => job.key);
    expect(keys).toHaveLength(4); // the three minutes after the state's last tick, and the current one
    expect(new Set(keys).size).toBe(4);
  });

  it('enqueues nothing while paused; after resume the policy decides what the pause missed', async () => {
    const skipping = everyMinute('skip');
    await ensureScheduleStates(db.pool, [skipping.name]);
    expect((await pauseSchedule(db.pool, skipping.name)).pausedAt).toBeInstanceOf(Date);
    const cursor = await downFor(skipping.name, 10);
    const { now } = await readScheduleStates(db.pool, [skipping.name]);
    const plan = skipping.ticksDue(cursor, now);
    if (!plan) throw new Error('no tick due');
    expect(await enqueueScheduledTicks(db.pool, skipping, cursor, plan)).toEqual({ advanced: false, jobIds: [] });
    expect(await scheduledJobs()).toEqual([]);

    expect((await resumeSchedule(db.pool, skipping.name)).pausedAt).toBeNull();
    expect((await pass(skipping))?.jobIds).toHaveLength(1); // skip: the current tick only
    await db.pool.query('DELETE FROM job');

    const catchingUp = everyMinute({ catchUp: 3 });
    await pauseSchedule(db.pool, catchingUp.name);
    await downFor(catchingUp.name, 10);
    await resumeSchedule(db.pool, catchingUp.name);
    expect((await pass(catchingUp))?.jobIds).toHaveLength(4); // the three newest missed, and the current one
    expect(await pass(catchingUp)).toBeNull(); // nothing due until the next minute
  });

  it('makes the Scheduler user with the first schedule, and keeps it while a schedule names it', async () => {
    await ensureScheduleStates(db.pool, ['a-schedule']);
    await ensureScheduleStates(db.pool, ['a-schedule', 'another']);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { id: schedulerUser.id } });
    expect(user).toMatchObject({ email: 'scheduler@jobkit.invalid', name: 'Scheduler', role: 'user', passwordHash: null });
    await expect(db.pool.query('DELETE FROM "user" WHERE id = $1', [schedulerUser.id])).rejects.toThrow(/job_schedule_owner_id_fkey/);
    const { states } = await readScheduleStates(db.pool, ['a-schedule', 'another', 'unknown']);
    expect([...states.keys()].sort()).toEqual(['a-schedule', 'another']);
  });
});
