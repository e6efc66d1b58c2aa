import { isScheduleRegistry, type JobSchedule, type ScheduleRegistry } from '@jobkit/contract/schedules';
import type { Queryable } from '@jobkit/db';
import { enqueueScheduledTicks, ensureScheduleStates, readScheduleStates } from '@jobkit/queue';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where the scheduler says that its passes fail, and that they work again: a pino logger fits. */
export interface SchedulerLogger {
  error(fields: { err: unknown }, message: string): void;
  info(message: string): void;
}

export interface Scheduler {
  /** Ends the loop; resolves once a pass in flight is over. */
  stop(): Promise<void>;
}

/** The longest sleep between passes: a clock that jumps, or a tick far off, costs at most this. */
const maxSleepMs = 60_000;
/** Wake just after a tick, so the pass finds it due rather than a millisecond early. */
const afterTickMs = 5;
/** Failed passes back off from 100 ms, doubling, to this. */
const retryMaxMs = 5_000;

/** The handlers module's `schedules` export (registerSchedules), or none when it has no such export. */
export async function loadSchedules(url: string): Promise<ScheduleRegistry> {
  const loaded: unknown = await import(url);
  if (typeof loaded !== 'object' || loaded === null || !('schedules' in loaded)) return {};
  if (isScheduleRegistry(loaded.schedules)) return loaded.schedules;
  throw new Error(`${url} exports "schedules" that registerSchedules() did not make`);
}

/** How long from `now` until the next tick of any schedule (paused ones too: a resume is seen at their next tick). */
function untilNextTick(schedules: readonly JobSchedule[], now: Date): number {
  const next = schedules.map((schedule) => schedule.nextTickAfter(now)?.getTime() ?? Infinity);
  return Math.min(maxSleepMs, Math.min(...next) - now.getTime() + afterTickMs);
}

/**
 * Runs in every worker process: at each tick of any schedule it reads the schedules' states and
 * the database's time in one statement, and sends one statement per schedule with ticks due (its
 * jobs and its new state together). However many processes do the same, each tick is enqueued
 * once: the statement only applies to the state it was planned from (packages/queue/src/schedules.ts).
 * Without schedules it sends nothing at all.
 */
export function startScheduler(pool: Queryable, registry: ScheduleRegistry, logger: SchedulerLogger): Scheduler {
  const schedules = Object.values(registry);
  const names = schedules.map((schedule) => schedule.name);
  const stopping = new AbortController();

  async function pass(): Promise<number> {
    const { now, states } = await readScheduleStates(pool, names);
    const readAt = performance.now();
    // A schedule new to this database (or whose row was deleted by hand) gets its row, due from now.
    if (states.size < names.length) await ensureScheduleStates(pool, names);
    for (const schedule of schedules) {
      const state = states.get(schedule.name);
      const plan = state && state.pausedAt === null ? schedule.ticksDue(state.lastTickAt, now) : null;
      if (state && plan) await enqueueScheduledTicks(pool, schedule, state.lastTickAt, plan);
    }
    return untilNextTick(schedules, now) - (performance.now() - readAt);
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      let waitMs: number;
      try {
        waitMs = await pass();
        if (failures > 0) logger.info(`The scheduler works again after ${failures} failed passes.`);
        failures = 0;
      } catch (error) {
        // One line per outage, not per retry; the loop itself never ends on an error.
        if (failures === 0) logger.error({ err: error }, 'A scheduler pass failed; retrying with backoff.');
        failures++;
        waitMs = Math.min(retryMaxMs, 100 * 2 ** (failures - 1));
      }
      await sleep(Math.max(0, waitMs), undefined, { signal: stopping.signal, ref: false }).catch(() => undefined);
    }
  }

  const running = schedules.length === 0 ? Promise.resolve() : loop();
  return {
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
