import { defineJob } from '@jobkit/contract';
import { defineSchedule, registerSchedules, type MissedTicks, type ScheduleRegistry } from '@jobkit/contract/schedules';
import { openPool } from '@jobkit/db';
import { createTestDatabase, type TestDatabase } from '@jobkit/db/testing';
import { pauseSchedule, readScheduleStates } from '@jobkit/queue';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createWorker } from '../src/index.ts';
import { loadSchedules, startScheduler, type Scheduler, type SchedulerLogger } from '../src/scheduler.ts';

const ping = defineJob({
  kind: 'ping',
  version: 1,
  title: 'Ping',
  input: z.object({ from: z.string() }),
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 1_000,
  maxAttempts: 1,
});

const everySecond = (name: string, missedTicks: MissedTicks) =>
  defineSchedule({ name, cron: '* * * * * *', timeZone: 'Europe/Berlin', job: ping, input: { from: name }, missedTicks });

/** Generous: a loaded CI machine may take many seconds for ten one-second ticks. */
const waitLimitMs = 90_000;

let db: TestDatabase;
const pools: ReturnType<typeof openPool>[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 8 });
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await db.drop();
});
beforeEach(async () => {
  await db.pool.query('DELETE FROM job');
  await db.pool.query('DELETE FROM job_schedule');
});

const errors: unknown[] = [];
const logger: SchedulerLogger = {
  error: ({ err }) => {
    errors.push(err);
  },
  info: () => undefined,
};

/** Three scheduler loops, each on a pool (and so connections) of its own, as three worker processes. */
function threeSchedulers(schedules: ScheduleRegistry): Scheduler[] {
  return [1, 2, 3].map(() => {
    const pool = openPool(db.url, 2);
    pools.push(pool);
    return startScheduler(pool, schedules, logger);
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + waitLimitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${waitLimitMs} ms for ${what}`);
    await sleep(100);
  }
}

interface TickRow {
  key: string;
  tick: Date;
  created_at: Date;
}

async function ticksOf(name: string): Promise<TickRow[]> {
  const { rows } = await db.pool.query<TickRow>(
    `SELECT idempotency_key AS key, run_at AS tick, created_at FROM job WHERE input ->> 'from' = $1 ORDER BY run_at, id`,
    [name],
  );
  return rows;
}

async function cursorOf(name: string): Promise<Date> {
  const state = (await readScheduleStates(db.pool, [name])).states.get(name);
  if (!state) throw new Error(`schedule ${name} has no state row`);
  return state.lastTickAt;
}

const seconds = (rows: readonly TickRow[]) => rows.map((row) => row.tick.getTime() / 1000);
const consecutive = (values: readonly number[]) => values.map((value, index) => value - index);

describe('the scheduler loop', () => {
  it('enqueues each tick exactly once with three schedulers on one database, and a pause stops it', { timeout: 3 * waitLimitMs }, async () => {
    const schedulers = threeSchedulers(registerSchedules([everySecond('every-second', { catchUp: 5 })]));
    try {
      await until('ten ticks of every-second', async () => ((await ticksOf('every-second')).length >= 10 ? true : undefined));
      await pauseSchedule(db.pool, 'every-second');
      const atPause = await ticksOf('every-second');
      await sleep(3_000); // three ticks come and go while paused
      expect(await ticksOf('every-second')).toEqual(atPause);
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    }
    const rows = await ticksOf('every-second');
    expect(new Set(rows.map((row) => row.key)).size).toBe(rows.length);
    expect(rows.map((row) => row.key)).toEqual(rows.map((row) => `schedule:every-second:${row.tick.toISOString()}`));
    // No tick missing either: every second from the first to the last, each once.
    expect(new Set(consecutive(seconds(rows))).size).toBe(1);
    expect(errors).toEqual([]);
  });

  it('after downtime, the first pass enqueues what each schedule’s policy says', { timeout: 3 * waitLimitMs }, async () => {
    const schedules = registerSchedules([everySecond('catching-up', { catchUp: 3 }), everySecond('skipping', 'skip')]);
    let schedulers = threeSchedulers(schedules);
    const ticked = async () => (await ticksOf('catching-up')).length > 0 && (await ticksOf('skipping')).length > 0;
    await until('a first tick of both schedules', async () => ((await ticked()) ? true : undefined));
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    const downFrom = { catchingUp: await cursorOf('catching-up'), skipping: await cursorOf('skipping') };
    await sleep(6_000); // no scheduler runs: six ticks or more are missed

    schedulers = threeSchedulers(schedules);
    try {
      await until('a pass after the downtime', async () => {
        const passed = (await cursorOf('catching-up')) > downFrom.catchingUp && (await cursorOf('skipping')) > downFrom.skipping;
        return passed ? true : undefined;
      });
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    }
    // The jobs of one pass share created_at (one statement): the first pass after the downtime is the
    // first group of jobs whose ticks come after the state the downtime left.
    const firstPassAfter = async (name: string, cursor: Date) => {
      const after = (await ticksOf(name)).filter((row) => row.tick > cursor);
      const firstPass = Math.min(...after.map((row) => row.created_at.getTime()));
      return after.filter((row) => row.created_at.getTime() === firstPass);
    };
    const caughtUp = await firstPassAfter('catching-up', downFrom.catchingUp);
    expect(caughtUp).toHaveLength(4); // the three newest missed and the current tick
    expect(new Set(consecutive(seconds(caughtUp))).size).toBe(1);
    expect(seconds(caughtUp)[0]).toBeGreaterThanOrEqual(downFrom.catchingUp.getTime() / 1000 + 3); // older missed ticks skipped
    const skipped = await firstPassAfter('skipping', downFrom.skipping);
    expect(skipped).toHaveLength(1); // the current tick only
    expect(seconds(skipped)[0]).toBeGreaterThanOrEqual(downFrom.skipping.getTime() / 1000 + 6);
    expect(errors).toEqual([]);
  });

  it('outlives a database it cannot reach, retrying with backoff and saying so once', { timeout: 2 * waitLimitMs }, async () => {
    const unreachable = openPool(db.url.replace(/\/[^/?]+(\?|$)/, '/jobkit_no_such_database$1'), 1);
    pools.push(unreachable);
    const seen: unknown[] = [];
    const scheduler = startScheduler(unreachable, registerSchedules([everySecond('nowhere', 'skip')]), {
      error: ({ err }) => {
        seen.push(err);
      },
      info: () => undefined,
    });
    await until('the first failed pass', () => Promise.resolve(seen.length > 0 ? true : undefined));
    await sleep(1_500); // several retries, each backed off
    await scheduler.stop();
    expect(seen).toHaveLength(1);
    expect(String(seen[0])).toMatch(/jobkit_no_such_database/);
  });

  it('runs in every worker whose handlers module exports schedules', { timeout: 2 * waitLimitMs }, async () => {
    const worker = createWorker({ database: db, handlersModule: new URL('./fixtures/scheduled-handlers.ts', import.meta.url), concurrency: 1 });
    await worker.start();
    try {
      const result = await until('a completed echo of the echo-every-second schedule', async () => {
        const { rows } = await db.pool.query<{ result: unknown }>(
          `SELECT result FROM job WHERE idempotency_key LIKE 'schedule:echo-every-second:%' AND status = 'completed' LIMIT 1`,
        );
        return rows[0]?.result;
      });
      expect(result).toMatchObject({ n: 7 });
    } finally {
      await worker.stop({ graceMs: 0 });
    }
  });

  it('reads the schedules a handlers module exports, and refuses an export registerSchedules did not make', async () => {
    const moduleOf = (source: string) => `data:text/javascript,${encodeURIComponent(source)}`;
    expect(await loadSchedules(moduleOf('export const handlers = {};'))).toEqual({});
    await expect(loadSchedules(moduleOf('export const schedules = { nightly: { name: "nightly" } };'))).rejects.toThrow(
      'exports "schedules" that registerSchedules() did not make',
    );
  });
});
