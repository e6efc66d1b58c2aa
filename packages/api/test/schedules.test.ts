import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { documentAnalysis } from '@jobkit/jobs';
import { defineSchedule, registerSchedules } from '@jobkit/jobs/schedules';
import { enqueueScheduledTicks, ensureScheduleStates, readScheduleStates } from '@jobkit/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext, type Actor } from '../src/index.ts';
import { createSchedulesRouter } from '../src/routers/schedules.ts';
import { createCallerFactory, createTRPCRouter } from '../src/trpc.ts';
import { errorOf } from './errors.ts';

const nightly = defineSchedule({
  name: 'nightly-summary',
  cron: '0 30 2 * * *',
  timeZone: 'Europe/Berlin',
  job: documentAnalysis,
  input: { text: 'What happened today.' },
  missedTicks: { catchUp: 2 },
});
const hourly = defineSchedule({ name: 'hourly-summary', cron: '0 * * * *', timeZone: 'UTC', job: documentAnalysis, input: { text: 'This hour.' }, missedTicks: 'skip' });

// The app defines no schedule; this router is built over two of the test's own, as the root's is over the app's.
const callerOf = createCallerFactory(createTRPCRouter({ schedules: createSchedulesRouter(registerSchedules([nightly, hourly])) }));

let db: TestDatabase;
let admin: ReturnType<typeof callerOf>;
let user: ReturnType<typeof callerOf>;
let anonymous: ReturnType<typeof callerOf>;

const as = (actor: Actor | null) => callerOf(createInnerContext({ db, actor }));

beforeAll(async () => {
  db = await createTestDatabase();
  admin = as({ userId: await createTestUser(db, 'admin'), role: 'admin' });
  user = as({ userId: await createTestUser(db), role: 'user' });
  anonymous = as(null);
});
afterAll(() => db.drop());

describe('schedules.*', () => {
  it('is for admins only', async () => {
    for (const call of [user.schedules.list(), user.schedules.pause({ name: 'nightly-summary' }), user.schedules.resume({ name: 'nightly-summary' })]) {
      const error = await errorOf(call);
      expect([error.code, error.message]).toEqual(['FORBIDDEN', 'Only administrators can use the job viewer.']);
    }
    expect((await errorOf(anonymous.schedules.list())).code).toBe('UNAUTHORIZED');
    // The refused pause wrote nothing.
    expect((await readScheduleStates(db.pool, ['nightly-summary'])).states.size).toBe(0);
  });

  it('lists the schedules of the code with their next tick, before any worker met them', async () => {
    const { schedules } = await admin.schedules.list();
    expect(schedules.map((schedule) => schedule.name)).toEqual(['nightly-summary', 'hourly-summary']);
    expect(schedules[0]).toMatchObject({
      kind: 'documentAnalysis',
      title: 'Document analysis',
      cron: '0 30 2 * * *',
      timeZone: 'Europe/Berlin',
      missedTicks: { catchUp: 2 },
      paused: false,
      lastTickAt: null,
      lastJobId: null,
    });
    const next = Date.parse(schedules[1]?.nextTickAt ?? '');
    expect(next).toBeGreaterThan(Date.now());
    expect(next % 3_600_000).toBe(0); // on the hour
  });

  it('shows the last tick a worker enqueued, and pauses and resumes', async () => {
    // As if the workers had been down for three days: the nightly schedule catches up its two newest ticks.
    await ensureScheduleStates(db.pool, ['nightly-summary']);
    await db.pool.query(`UPDATE job_schedule SET last_tick_at = now() - interval '3 days'`);
    const { now, states } = await readScheduleStates(db.pool, ['nightly-summary']);
    const cursor = states.get('nightly-summary')?.lastTickAt ?? now;
    const plan = nightly.ticksDue(cursor, now);
    if (!plan) throw new Error('no tick due three days after the last');
    const { jobIds } = await enqueueScheduledTicks(db.pool, nightly, cursor, plan);
    expect(jobIds.length).toBeGreaterThanOrEqual(2);

    const listed = (await admin.schedules.list()).schedules.find((schedule) => schedule.name === 'nightly-summary');
    expect(listed).toMatchObject({ lastTickAt: plan.cursor.toISOString(), lastEnqueuedTick: plan.cursor.toISOString(), lastJobId: jobIds.at(-1), paused: false });
    // The jobs are the Scheduler's: admins find them in the job viewer like anyone's.
    const viewer = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db, 'admin'), role: 'admin' } }));
    const owned = await viewer.admin.listJobs({ ownerEmail: 'scheduler@jobkit.invalid' });
    expect(owned.items.map((job) => job.id).sort()).toEqual([...jobIds].sort());

    const paused = await admin.schedules.pause({ name: 'nightly-summary' });
    expect(paused).toMatchObject({ paused: true, nextTickAt: null, lastJobId: jobIds.at(-1) });
    expect((await admin.schedules.pause({ name: 'nightly-summary' })).pausedAt).toBe(paused.pausedAt);
    const resumed = await admin.schedules.resume({ name: 'nightly-summary' });
    expect(resumed).toMatchObject({ paused: false, pausedAt: null, lastTickAt: plan.cursor.toISOString() });
    expect(resumed.nextTickAt).not.toBeNull();
  });

  it('pauses a schedule no worker has met yet', async () => {
    expect(await admin.schedules.pause({ name: 'hourly-summary' })).toMatchObject({ paused: true, lastJobId: null });
    expect((await readScheduleStates(db.pool, ['hourly-summary'])).states.get('hourly-summary')?.pausedAt).toBeInstanceOf(Date);
  });

  it('refuses a name it does not know, saying which it knows', async () => {
    const unknown = await errorOf(admin.schedules.pause({ name: 'weekly' }));
    expect([unknown.code, unknown.message]).toEqual(['NOT_FOUND', 'No schedule is named "weekly". The schedules are: nightly-summary, hourly-summary.']);
    const empty = await errorOf(admin.schedules.resume({ name: ' ' }));
    expect(empty.code).toBe('BAD_REQUEST');
    expect(empty.message).toMatch(/Name a schedule/);
  });

  it('is on the app’s router, over the app’s schedules (none ship)', async () => {
    const appAdmin = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db, 'admin'), role: 'admin' } }));
    expect(await appAdmin.schedules.list()).toEqual({ schedules: [] });
    const error = await errorOf(appAdmin.schedules.pause({ name: 'nightly-summary' }));
    expect([error.code, error.message]).toEqual(['NOT_FOUND', 'No schedule is named "nightly-summary". This server defines no schedules.']);
  });
});
