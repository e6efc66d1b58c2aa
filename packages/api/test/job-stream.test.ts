import { completeJob, recordProgress } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { jobSnapshotSchema, type JobSnapshot } from '@jobkit/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeJobStream, createCaller, createInnerContext, jobStreamFor, type InnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';
import { runningJob } from './running-job.ts';

let db: TestDatabase;
let aliceContext: InnerContext;
let bobContext: InnerContext;
let alice: ReturnType<typeof createCaller>;
let bob: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  aliceContext = createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } });
  bobContext = createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } });
  alice = createCaller(aliceContext);
  bob = createCaller(bobContext);
});
afterAll(async () => {
  await closeJobStream(db);
  await db.drop();
});

type Stream = AsyncIterator<unknown>;

/** Subscribes as a caller would; the iterator yields tracked events as [id, snapshot]. */
async function watch(context: InnerContext, jobId: string, lastEventId?: string, signal?: AbortSignal): Promise<Stream> {
  const iterable = await createCaller(context, { signal }).jobs.watchJob({ jobId, lastEventId });
  return iterable[Symbol.asyncIterator]();
}

async function nextEvent(stream: Stream): Promise<[string, JobSnapshot]> {
  const step = await stream.next();
  if (step.done) throw new Error('the stream ended');
  // createCaller hands out the procedure's own tracked() envelopes, [id, data, marker] (the HTTP
  // link turns them into { id, data }), so they are checked here rather than taken as typed.
  const event: unknown = step.value;
  if (!Array.isArray(event) || typeof event[0] !== 'string') throw new Error(`not a tracked event: ${String(event)}`);
  return [event[0], jobSnapshotSchema.parse(event[1])];
}

describe('jobs.watchJob', () => {
  it('sends the job at once, then every change in order, and ends after it completes', async () => {
    const ref = await runningJob(db, alice);
    const stream = await watch(aliceContext, ref.jobId);
    const [firstId, first] = await nextEvent(stream);
    expect(first).toMatchObject({ id: ref.jobId, status: 'running', progress: 0 });
    expect(firstId).toBe(String(first.version));

    const seen: [string, JobSnapshot][] = [];
    for (const percent of [25, 60]) {
      await recordProgress(db.pool, ref, { percent, message: `at ${percent}` });
      seen.push(await nextEvent(stream));
    }
    expect(await completeJob(db.pool, ref, { wordCount: 4 }, 60_000)).toBe(true);
    seen.push(await nextEvent(stream));

    expect(seen.map(([, job]) => [job.status, job.progress, job.progressMessage])).toEqual([
      ['running', 25, 'at 25'],
      ['running', 60, 'at 60'],
      ['completed', 100, 'at 60'],
    ]);
    const ids = [firstId, ...seen.map(([id]) => id)].map(Number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect((await stream.next()).done).toBe(true);
    // What it streams is what getJob answers.
    expect(seen.at(-1)?.[1]).toEqual(await alice.jobs.getJob({ jobId: ref.jobId }));
  });

  it('refuses another user’s job exactly as getJob does', async () => {
    const { jobId } = await alice.analysis.startDocumentAnalysis({ input: { text: 'Private.' } });
    const byGet = await errorOf(bob.jobs.getJob({ jobId }));
    const byWatch = await errorOf(watch(bobContext, jobId).then((stream) => stream.next()));
    expect(byWatch.code).toBe('NOT_FOUND');
    expect(byWatch.message).toBe(byGet.message);
    expect(byWatch.message).toBe(`No job ${jobId}.`);
  });

  it('resumes from lastEventId without sending the version the client has again', async () => {
    const ref = await runningJob(db, alice);
    const [id, current] = await nextEvent(await watch(aliceContext, ref.jobId));
    const resumed = await watch(aliceContext, ref.jobId, id);
    const pending = nextEvent(resumed);
    await recordProgress(db.pool, ref, { percent: 40, message: 'later' });
    const [nextId, next] = await pending;
    expect(Number(nextId)).toBeGreaterThan(current.version);
    expect(next).toMatchObject({ progress: 40, progressMessage: 'later' });
    await completeJob(db.pool, ref, {}, 60_000);
    expect((await nextEvent(resumed))[1].status).toBe('completed');
    // A finished job whose last version the client has: nothing to send, the stream just ends.
    const done = await alice.jobs.getJob({ jobId: ref.jobId });
    expect((await (await watch(aliceContext, ref.jobId, String(done.version))).next()).done).toBe(true);
  });

  it('serves 50 subscribers of one job with one read per change', async () => {
    const ref = await runningJob(db, alice);
    const streams = await Promise.all(Array.from({ length: 50 }, () => watch(aliceContext, ref.jobId)));
    await Promise.all(streams.map(nextEvent));
    const hub = jobStreamFor(db);
    for (const [index, percent] of [10, 20, 30].entries()) {
      const before = hub.reads;
      await recordProgress(db.pool, ref, { percent });
      const events = await Promise.all(streams.map(nextEvent));
      expect(events.map(([, job]) => job.progress)).toEqual(Array.from({ length: 50 }, () => percent));
      expect(hub.reads - before, `change ${index + 1}`).toBe(1);
    }
    await completeJob(db.pool, ref, {}, 60_000);
    await Promise.all(streams.map(nextEvent));
    expect((await Promise.all(streams.map((stream) => stream.next()))).every((step) => step.done)).toBe(true);
  });

  it('keeps only the latest snapshot for a subscriber that does not read', async () => {
    const ref = await runningJob(db, alice);
    const slow = await watch(aliceContext, ref.jobId);
    const fast = await watch(aliceContext, ref.jobId);
    await nextEvent(slow);
    await nextEvent(fast);
    for (const percent of [10, 20, 30, 40]) {
      await recordProgress(db.pool, ref, { percent });
      expect((await nextEvent(fast))[1].progress).toBe(percent);
    }
    // The slow one skipped to the latest: one event, the whole job as it is now.
    expect((await nextEvent(slow))[1].progress).toBe(40);
    await completeJob(db.pool, ref, {}, 60_000);
    expect((await nextEvent(slow))[1].status).toBe('completed');
  });

  it('reads every watched job again after its LISTEN connection was cut, so a change meanwhile is not lost', async () => {
    const ref = await runningJob(db, alice);
    const stream = await watch(aliceContext, ref.jobId);
    await nextEvent(stream);
    const { rows } = await db.pool.query<{ cut: boolean }>(
      "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = 'jobkit-listen' AND datname = current_database()",
    );
    expect(rows).toEqual([{ cut: true }]);
    // Written while nobody listens: its notification is lost, the read after the reconnect is not.
    await recordProgress(db.pool, ref, { percent: 70, message: 'while cut off' });
    expect((await nextEvent(stream))[1]).toMatchObject({ progress: 70, progressMessage: 'while cut off' });
    await completeJob(db.pool, ref, {}, 60_000);
    expect((await nextEvent(stream))[1].status).toBe('completed');
  });

  it('stops when the signal aborts, and lets go of the job', async () => {
    const ref = await runningJob(db, alice);
    const controller = new AbortController();
    const stream = await watch(aliceContext, ref.jobId, undefined, controller.signal);
    await nextEvent(stream);
    const pending = stream.next();
    expect(jobStreamFor(db).subscribers(ref.jobId)).toBe(1);
    controller.abort();
    expect((await pending).done).toBe(true);
    expect(jobStreamFor(db).subscribers(ref.jobId)).toBe(0);
  });
});
