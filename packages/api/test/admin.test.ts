import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
let admin: ReturnType<typeof createCaller>;
let alice: ReturnType<typeof createCaller>;
let bob: ReturnType<typeof createCaller>;
let aliceJobs: string[];
let bobJob: string;


beforeAll(async () => {
  db = await createTestDatabase();
  admin = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db, 'admin'), role: 'admin' } }));
  const aliceId = await createTestUser(db);
  alice = createCaller(createInnerContext({ db, actor: { userId: aliceId, role: 'user' } }));
  bob = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
  aliceJobs = [];
  for (const text of ['One.', 'Two.', 'Three.']) aliceJobs.push((await alice.analysis.startDocumentAnalysis({ input: { text } })).jobId);
  bobJob = (await bob.analysis.startDocumentAnalysis({ input: { text: 'Bob.' } })).jobId;
  await db.pool.query(`UPDATE job SET status = 'failed', finished_at = now(), error = '{"code":"BOOM","message":"It broke."}' WHERE id = $1`, [aliceJobs[0]]);
});
afterAll(() => db.drop());

describe('the admin job viewer', () => {
  it('is for admins only', async () => {
    const error = await errorOf(alice.admin.listJobs({}));
    expect([error.code, error.message]).toEqual(['FORBIDDEN', 'Only administrators can use the job viewer.']);
    expect((await errorOf(bob.admin.stats())).code).toBe('FORBIDDEN');
  });

  it('lists every user’s jobs newest first, filtered by status, kind, owner and creation time, a page at a time', async () => {
    const all = await admin.admin.listJobs({});
    expect(all.items.map((job) => job.id)).toEqual([bobJob, ...[...aliceJobs].reverse()]);
    const failed = await admin.admin.listJobs({ status: 'failed', kind: 'documentAnalysis' });
    expect(failed.items.map((job) => job.id)).toEqual([aliceJobs[0]]);
    const bobs = await admin.admin.listJobs({ ownerEmail: all.items[0]?.ownerEmail.toUpperCase() });
    expect(bobs.items.map((job) => job.id)).toEqual([bobJob]);
    const future = await admin.admin.listJobs({ createdFrom: new Date(Date.now() + 60_000).toISOString() });
    expect(future.items).toEqual([]);
    const past = await admin.admin.listJobs({ createdTo: new Date(Date.now() - 3_600_000).toISOString() });
    expect(past.items).toEqual([]);
    const first = await admin.admin.listJobs({ limit: 3 });
    const second = await admin.admin.listJobs({ limit: 3, cursor: first.nextCursor ?? undefined });
    expect([...first.items, ...second.items].map((job) => job.id)).toEqual(all.items.map((job) => job.id));
    expect(second.nextCursor).toBeNull();
  });

  it('counts by status and per minute, and shows one job in full', async () => {
    const stats = await admin.admin.stats();
    expect(stats.countsByStatus).toEqual({ queued: 3, running: 0, completed: 0, failed: 1, cancelled: 0 });
    expect(stats.perMinute).toHaveLength(60);
    expect(stats.perMinute.reduce((sum, minute) => sum + minute.created, 0)).toBe(4);

    const job = await admin.admin.getJob({ jobId: aliceJobs[0] ?? '' });
    expect(job).toMatchObject({ status: 'failed', input: { text: 'One.' }, error: { code: 'BOOM' }, attempts: [] });
    expect((await errorOf(admin.admin.getJob({ jobId: '0199c1d2-7f3e-7a10-9c4b-2f1e0d3c4b5a' }))).code).toBe('NOT_FOUND');
  });

  it('retries, cancels and deletes a selection, saying what happened to each job', async () => {
    const [failedJob, queuedJob, otherJob] = aliceJobs;
    const retried = await admin.admin.retry({ jobIds: [failedJob ?? '', queuedJob ?? ''] });
    expect(retried.results.map((r) => [r.ok, r.message])).toEqual([
      [true, 'Queued again.'],
      [false, 'Only failed or cancelled jobs can be retried.'],
    ]);
    const cancelled = await admin.admin.cancel({ jobIds: [otherJob ?? '', bobJob] });
    expect(cancelled.results.every((r) => r.ok && r.message === 'Cancelled.')).toBe(true);
    const deleted = await admin.admin.delete({ jobIds: [otherJob ?? '', '0199c1d2-7f3e-7a10-9c4b-2f1e0d3c4b5a'] });
    expect(deleted.results.map((r) => r.ok)).toEqual([true, false]);
    expect(await db.prisma.job.count({ where: { id: otherJob } })).toBe(0);
    expect((await errorOf(admin.admin.delete({ jobIds: [] }))).message).toMatch(/Select at least one job/);
  });
});
