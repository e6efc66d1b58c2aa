import { rescueExpiredJobs } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
let reporter: ReturnType<typeof createCaller>;
let stranger: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  reporter = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
  stranger = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
});
afterAll(() => db.drop());


describe('tracked external jobs', () => {
  it('are created running, take progress and a result from their owner, and read like any job', async () => {
    const { jobId, status } = await reporter.jobs.createTracked({ message: 'Nightly export', metadata: { source: 'erp' } });
    expect(status).toBe('running');
    expect(await reporter.jobs.reportProgress({ jobId, percent: 40, message: 'Exporting invoices', data: { rows: 4000 } })).toEqual({
      jobId,
      cancelRequested: false,
    });
    await reporter.jobs.reportProgress({ jobId, percent: 20 });
    const running = await reporter.jobs.getJob({ jobId });
    expect(running).toMatchObject({ kind: 'tracked', status: 'running', progress: 40, progressMessage: 'Exporting invoices', progressData: { rows: 4000 } });

    await reporter.jobs.complete({ jobId, result: { file: 'invoices.csv', rows: 10_000 } });
    const done = await reporter.jobs.getJob({ jobId });
    expect(done).toMatchObject({ status: 'completed', progress: 100, result: { file: 'invoices.csv', rows: 10_000 } });
    const again = await errorOf(reporter.jobs.fail({ jobId, message: 'too late' }));
    expect([again.code, again.message]).toEqual(['CONFLICT', `Job ${jobId} is completed; it takes no more reports.`]);
  });

  it('refuse reports from other users and for jobs our workers run', async () => {
    const { jobId } = await reporter.jobs.createTracked({ message: 'Private work' });
    expect((await errorOf(stranger.jobs.reportProgress({ jobId, percent: 10 }))).code).toBe('NOT_FOUND');
    const own = await reporter.analysis.startDocumentAnalysis({ input: { text: 'Ours.' } });
    const wrongKind = await errorOf(reporter.jobs.complete({ jobId: own.jobId, result: {} }));
    expect(wrongKind.message).toMatch(/only tracked jobs take reports/);
  });

  it('fail with the reporter’s code, cancel at once, and fail when their reporter goes silent', async () => {
    const failed = await reporter.jobs.createTracked({ message: 'Will fail' });
    expect(await reporter.jobs.fail({ jobId: failed.jobId, code: 'EXPORT_FAILED', message: 'The ERP was down.' })).toEqual({ jobId: failed.jobId, status: 'failed' });
    expect((await reporter.jobs.getJob({ jobId: failed.jobId })).error).toEqual({ code: 'EXPORT_FAILED', message: 'The ERP was down.' });

    const cancelled = await reporter.jobs.createTracked({ message: 'Will be cancelled' });
    expect(await reporter.jobs.cancelJob({ jobId: cancelled.jobId })).toEqual({ jobId: cancelled.jobId, status: 'cancelled' });
    expect((await errorOf(reporter.jobs.reportProgress({ jobId: cancelled.jobId, percent: 50 }))).code).toBe('CONFLICT');

    const silent = await reporter.jobs.createTracked({ message: 'Forgotten' });
    await db.pool.query(`UPDATE job SET locked_until = now() - interval '1 second' WHERE id = $1`, [silent.jobId]);
    await rescueExpiredJobs(db.pool, { limit: 10, retentionMsByKind: {}, defaultRetentionMs: 60_000 });
    expect(await reporter.jobs.getJob({ jobId: silent.jobId })).toMatchObject({ status: 'failed', error: { code: 'LEASE_EXPIRED' } });
  });
});

describe('tracked jobs and the actions of our own jobs', () => {
  it('are never retried into a queue no worker serves, by their owner or an admin', async () => {
    const admin = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db, 'admin'), role: 'admin' } }));
    const { jobId } = await reporter.jobs.createTracked({ message: 'Will fail' });
    await reporter.jobs.fail({ jobId, code: 'EXPORT_FAILED', message: 'The ERP was down.' });

    const refused = await errorOf(reporter.jobs.retryJob({ jobId }));
    expect([refused.code, refused.message]).toEqual([
      'BAD_REQUEST',
      `Job ${jobId} is a tracked job: the system that runs it retries by creating a new one (jobs.createTracked).`,
    ]);
    expect((await admin.admin.retry({ jobIds: [jobId] })).results).toEqual([{ jobId, ok: false, message: refused.message }]);
    expect((await reporter.jobs.getJob({ jobId })).status).toBe('failed');
  });

  it('are cancelled by an admin exactly as by their owner: at once, and their reporter is refused after', async () => {
    const admin = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db, 'admin'), role: 'admin' } }));
    const { jobId } = await reporter.jobs.createTracked({ message: 'Cancelled by an admin' });
    expect((await admin.admin.cancel({ jobIds: [jobId] })).results).toEqual([{ jobId, ok: true, message: 'Cancelled.' }]);
    expect(await reporter.jobs.getJob({ jobId })).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    const late = await errorOf(reporter.jobs.reportProgress({ jobId, percent: 50 }));
    expect([late.code, late.message]).toEqual(['CONFLICT', `Job ${jobId} is cancelled; it takes no more reports.`]);
    expect((await errorOf(reporter.jobs.complete({ jobId, result: {} }))).code).toBe('CONFLICT');
  });
});
