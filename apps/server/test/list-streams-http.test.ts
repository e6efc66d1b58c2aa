/**
 * The streams of lists over real HTTP (SSE), as the web app's header and admin viewer open them:
 * `jobs.watchActiveJobs` carries only the caller's own jobs, `admin.watchChanges` only to admins.
 */
import { claimJobs, recordProgress } from '@jobkit/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDocumentJob, startHarness, userWithToken, type HttpHarness } from './harness.ts';
import { nextEvent, subscriptionEvents } from './sse.ts';

let harness: HttpHarness;
let alice: { userId: string; token: string };
let bob: { userId: string; token: string };

beforeAll(async () => {
  harness = await startHarness();
  alice = await userWithToken(harness.db);
  bob = await userWithToken(harness.db);
});
afterAll(() => harness.close());

const activeJobs = z.object({ total: z.int(), jobs: z.array(z.object({ id: z.string(), status: z.string(), progress: z.number() })) });

describe('jobs.watchActiveJobs over SSE', () => {
  it('pushes the caller’s own active jobs as they start and progress, never another user’s', async () => {
    const stream = subscriptionEvents(harness.baseUrl, alice.token, 'jobs.watchActiveJobs');
    const next = async () => activeJobs.parse(JSON.parse((await nextEvent(stream)).data));
    expect(await next()).toEqual({ total: 0, jobs: [] });

    const bobsJob = await startDocumentJob(harness.baseUrl, bob.token, 'Bob’s, not for Alice’s header.');
    const alicesJob = await startDocumentJob(harness.baseUrl, alice.token, 'Alice’s own.');
    const seen = [await next()];
    while (seen.at(-1)?.total !== 1) seen.push(await next());
    expect(seen.at(-1)?.jobs).toMatchObject([{ id: alicesJob, status: 'queued' }]);

    await claimJobs(harness.db.pool, { workerId: 'w', kinds: ['documentAnalysis'], limit: 2, leaseMs: 60_000 });
    await recordProgress(harness.db.pool, { jobId: alicesJob, workerId: 'w', attempt: 1 }, { percent: 30, message: 'reading' });
    while (seen.at(-1)?.jobs[0]?.progress !== 30) seen.push(await next());
    expect(seen.at(-1)?.jobs).toMatchObject([{ id: alicesJob, status: 'running', progress: 30 }]);
    expect(seen.flatMap((list) => list.jobs.map((job) => job.id))).not.toContain(bobsJob);
  });
});

describe('admin.watchChanges over SSE', () => {
  it('refuses a user who is not an admin, as every admin procedure does', async () => {
    const event = await nextEvent(subscriptionEvents(harness.baseUrl, alice.token, 'admin.watchChanges'));
    expect(event.event).toBe('serialized-error');
    expect(JSON.parse(event.data)).toMatchObject({ data: { code: 'FORBIDDEN', httpStatus: 403 } });
  });

  it('ticks an admin at once, then after any user’s job changes', async () => {
    const admin = await userWithToken(harness.db, 'admin');
    const stream = subscriptionEvents(harness.baseUrl, admin.token, 'admin.watchChanges');
    const tick = z.object({ changedAt: z.iso.datetime() });
    const first = tick.parse(JSON.parse((await nextEvent(stream)).data));
    await startDocumentJob(harness.baseUrl, bob.token, 'Any user’s job.');
    const second = tick.parse(JSON.parse((await nextEvent(stream)).data));
    expect(Date.parse(second.changedAt)).toBeGreaterThanOrEqual(Date.parse(first.changedAt));
  });
});
