import { pauseSchedule, readScheduleStates, resumeSchedule, type ScheduleState } from '@jobkit/queue';
import { contractFor } from '@jobkit/jobs';
import type { JobSchedule, ScheduleRegistry } from '@jobkit/jobs/schedules';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

const timestamp = z.iso.datetime({ offset: true });

/** One schedule as admins (the web panel, the command line) see it. */
export const scheduleSummarySchema = z.object({
  name: z.string(),
  kind: z.string(),
  /** The kind's title, for people. */
  title: z.string(),
  cron: z.string(),
  timeZone: z.string(),
  missedTicks: z.union([z.literal('skip'), z.object({ catchUp: z.int() })]),
  paused: z.boolean(),
  pausedAt: timestamp.nullable(),
  /** The newest tick dealt with, enqueued or skipped; null until a worker or an admin first met the schedule. */
  lastTickAt: timestamp.nullable(),
  /** The newest tick enqueued, and its job (which retention may have deleted since). */
  lastEnqueuedTick: timestamp.nullable(),
  lastJobId: z.uuid().nullable(),
  /** When the next job is enqueued; null while paused, or when the expression fires no more. */
  nextTickAt: timestamp.nullable(),
});
export type ScheduleSummary = z.infer<typeof scheduleSummarySchema>;

const nameInput = z.object({ name: z.string().trim().min(1, 'Name a schedule').max(100, 'A schedule name is at most 100 characters') });

function summaryOf(schedule: JobSchedule, state: ScheduleState | undefined, now: Date): ScheduleSummary {
  const paused = Boolean(state?.pausedAt);
  return {
    name: schedule.name,
    kind: schedule.kind,
    title: contractFor(schedule.kind)?.title ?? schedule.kind,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    missedTicks: schedule.missedTicks,
    paused,
    pausedAt: state?.pausedAt?.toISOString() ?? null,
    lastTickAt: state?.lastTickAt.toISOString() ?? null,
    lastEnqueuedTick: state?.lastEnqueuedTick?.toISOString() ?? null,
    lastJobId: state?.lastJobId ?? null,
    nextTickAt: paused ? null : (schedule.nextTickAfter(now)?.toISOString() ?? null),
  };
}

/**
 * The schedules defined in code (`registry`), with the state the workers keep in the database.
 * Admins only (FORBIDDEN otherwise), as the rest of the job viewer.
 */
export function createSchedulesRouter(registry: ScheduleRegistry) {
  function scheduleNamed(name: string): JobSchedule {
    const schedule = Object.hasOwn(registry, name) ? registry[name] : undefined;
    if (schedule) return schedule;
    const known = Object.keys(registry);
    const listed = known.length > 0 ? `The schedules are: ${known.join(', ')}.` : 'This server defines no schedules.';
    throw new TRPCError({ code: 'NOT_FOUND', message: `No schedule is named "${name}". ${listed}` });
  }

  function pausedTo(paused: boolean) {
    return adminProcedure
      .input(nameInput)
      .output(scheduleSummarySchema)
      .mutation(async ({ ctx, input }) => {
        const schedule = scheduleNamed(input.name);
        const state = await (paused ? pauseSchedule : resumeSchedule)(ctx.db.pool, schedule.name);
        return summaryOf(schedule, state, new Date());
      });
  }

  return createTRPCRouter({
    /** Every schedule, in the order the code defines them, with its last and next tick. */
    list: adminProcedure.output(z.object({ schedules: z.array(scheduleSummarySchema) })).query(async ({ ctx }) => {
      const schedules = Object.values(registry);
      const { now, states } = await readScheduleStates(ctx.db.pool, schedules.map((schedule) => schedule.name));
      return { schedules: schedules.map((schedule) => summaryOf(schedule, states.get(schedule.name), now)) };
    }),

    /** No tick is enqueued until it is resumed; pausing a paused schedule keeps its first pause. */
    pause: pausedTo(true),
    /** Enqueues again from the next tick; what the pause missed is skipped or caught up as the schedule says. */
    resume: pausedTo(false),
  });
}
