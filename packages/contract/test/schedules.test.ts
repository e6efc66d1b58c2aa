import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../src/define.ts';
import { defineSchedule, isScheduleRegistry, registerSchedules, ScheduleDefinitionError, type MissedTicks } from '../src/schedules.ts';

const digest = defineJob({
  kind: 'digest',
  version: 2,
  title: 'Digest',
  input: z.object({ team: z.string().min(1, 'Name a team'), days: z.int().min(1).default(7), sheetId: z.uuid().optional() }),
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 1_000,
  maxAttempts: 4,
  fileInputs: { sheetId: ['csv'] },
});

const internalKind = defineJob({
  kind: 'internalThing',
  version: 1,
  title: 'Internal',
  input: z.object({}),
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 1_000,
  maxAttempts: 1,
  internal: true,
});

function everyMinute(missedTicks: MissedTicks) {
  return defineSchedule({ name: 'team-digest', cron: '0 * * * * *', timeZone: 'Europe/Berlin', job: digest, input: { team: 'core' }, missedTicks });
}

const at = (iso: string) => new Date(iso);
const isoList = (dates: readonly Date[]) => dates.map((date) => date.toISOString());

describe('defineSchedule', () => {
  it('keeps the kind, its payload version and attempts, and the input as the kind parses it', () => {
    const schedule = everyMinute('skip');
    expect(schedule).toMatchObject({ name: 'team-digest', kind: 'digest', payloadVersion: 2, maxAttempts: 4, input: { team: 'core', days: 7 } });
  });

  it('refuses input the kind’s schema refuses, naming the schedule and the field', () => {
    const define = () =>
      // @ts-expect-error: `team` must be a string; the runtime check below is for input typed loosely (JSON, casts).
      defineSchedule({ name: 'bad-input', cron: '* * * * *', timeZone: 'UTC', job: digest, input: { team: 3 }, missedTicks: 'skip' });
    expect(define).toThrow(ScheduleDefinitionError);
    expect(define).toThrow('Schedule "bad-input": its input is not a valid digest input: team: Invalid input: expected string, received number');
    expect(() => defineSchedule({ name: 'empty-team', cron: '* * * * *', timeZone: 'UTC', job: digest, input: { team: '' }, missedTicks: 'skip' })).toThrow(
      'Schedule "empty-team": its input is not a valid digest input: team: Name a team',
    );
    expect(() => defineSchedule({ name: 'nul', cron: '* * * * *', timeZone: 'UTC', job: digest, input: { team: 'a\u0000' }, missedTicks: 'skip' })).toThrow(
      'team: Text must not contain the NUL character (U+0000)',
    );
  });

  it('refuses what cannot be scheduled, saying why', () => {
    const base = { name: 'ok-name', cron: '0 0 3 * * *', timeZone: 'UTC', job: digest, input: { team: 'core' }, missedTicks: 'skip' } as const;
    expect(() => defineSchedule({ ...base, cron: '61 * * * *' })).toThrow('Schedule "ok-name": the cron expression "61 * * * *" is not valid: CronPattern: Invalid value for minute: 61');
    expect(() => defineSchedule({ ...base, cron: '0 0 0 30 2 *' })).toThrow('Schedule "ok-name": the cron expression "0 0 0 30 2 *" never fires');
    expect(() => defineSchedule({ ...base, timeZone: 'Mars/Olympus' })).toThrow('Schedule "ok-name": "Mars/Olympus" is not an IANA time zone (such as "Europe/Berlin" or "UTC")');
    expect(() => defineSchedule({ ...base, name: 'Not A Name' })).toThrow('Schedule "Not A Name": a name is lowercase letters, digits and dashes');
    expect(() => defineSchedule({ ...base, missedTicks: { catchUp: 0 } })).toThrow('Schedule "ok-name": catchUp is a whole number from 1 to 100, got 0');
    expect(() => defineSchedule({ ...base, input: { team: 'core', sheetId: '0199c1d2-7f3e-7a10-9c4b-2f1e0d3c4b5a' } })).toThrow(
      'Schedule "ok-name": sheetId names an uploaded file, but scheduled jobs belong to the Scheduler user, who has no uploads',
    );
    // @ts-expect-error: internal kinds are started by the system, so the type refuses them too.
    expect(() => defineSchedule({ ...base, job: internalKind, input: {} })).toThrow('Schedule "ok-name": internalThing jobs are started by the system, not on a schedule');
  });
});

describe('registerSchedules', () => {
  it('keys schedules by name and refuses two of one name', () => {
    const registry = registerSchedules([everyMinute('skip')]);
    expect(Object.keys(registry)).toEqual(['team-digest']);
    expect(isScheduleRegistry(registry)).toBe(true);
    expect(isScheduleRegistry({ 'team-digest': { name: 'team-digest' } })).toBe(false);
    expect(() => registerSchedules([everyMinute('skip'), everyMinute({ catchUp: 2 })])).toThrow('Two schedules are named "team-digest"');
  });
});

describe('the ticks a pass enqueues', () => {
  // Ticks at every whole minute; the last one dealt with was 10:00:00 (Berlin is UTC+1 in winter).
  const cursor = at('2026-01-05T09:00:00.000Z');

  it('is the tick that just came, when nothing was missed', () => {
    expect(everyMinute('skip').ticksDue(cursor, at('2026-01-05T09:01:00.400Z'))).toEqual({ enqueue: [at('2026-01-05T09:01:00.000Z')], cursor: at('2026-01-05T09:01:00.000Z') });
    expect(everyMinute('skip').ticksDue(cursor, at('2026-01-05T09:00:59.999Z'))).toBeNull();
  });

  it('after downtime: skip enqueues the current tick only, catchUp also the newest N missed, oldest first', () => {
    const now = at('2026-01-05T09:05:20.000Z'); // 20 s after the 10:05 tick, which is still on time
    expect(isoList(everyMinute('skip').ticksDue(cursor, now)?.enqueue ?? [])).toEqual(['2026-01-05T09:05:00.000Z']);
    const caughtUp = everyMinute({ catchUp: 2 }).ticksDue(cursor, now);
    expect(isoList(caughtUp?.enqueue ?? [])).toEqual(['2026-01-05T09:03:00.000Z', '2026-01-05T09:04:00.000Z', '2026-01-05T09:05:00.000Z']);
    expect(caughtUp?.cursor).toEqual(at('2026-01-05T09:05:00.000Z'));
    // Fewer missed ticks than allowed: all of them.
    expect(everyMinute({ catchUp: 10 }).ticksDue(cursor, now)?.enqueue).toHaveLength(5);
  });

  it('a tick seen more than a minute late is missed too', () => {
    const daily = (missedTicks: MissedTicks) =>
      defineSchedule({ name: 'daily', cron: '0 30 2 * * *', timeZone: 'Europe/Berlin', job: digest, input: { team: 'core' }, missedTicks });
    const lastRun = at('2026-01-02T01:30:00.000Z');
    const threeHoursLate = at('2026-01-05T04:30:00.000Z');
    expect(daily('skip').ticksDue(lastRun, threeHoursLate)).toEqual({ enqueue: [], cursor: at('2026-01-05T01:30:00.000Z') });
    expect(isoList(daily({ catchUp: 2 }).ticksDue(lastRun, threeHoursLate)?.enqueue ?? [])).toEqual(['2026-01-04T01:30:00.000Z', '2026-01-05T01:30:00.000Z']);
    expect(isoList(daily('skip').ticksDue(lastRun, at('2026-01-05T01:30:59.000Z'))?.enqueue ?? [])).toEqual(['2026-01-05T01:30:00.000Z']);
  });

  it('reads the cron expression in its time zone, summer time included', () => {
    const nineInBerlin = defineSchedule({ name: 'nine', cron: '0 9 * * *', timeZone: 'Europe/Berlin', job: digest, input: { team: 'core' }, missedTicks: 'skip' });
    expect(nineInBerlin.nextTickAfter(at('2026-01-05T12:00:00.000Z'))).toEqual(at('2026-01-06T08:00:00.000Z'));
    expect(nineInBerlin.nextTickAfter(at('2026-07-05T12:00:00.000Z'))).toEqual(at('2026-07-06T07:00:00.000Z'));
  });
});
