import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { sendMailThrough, startTestSmtpServer, type TestSmtpServer } from '@jobkit/email/testing';
import { claimJobs, completeJob, failJob } from '@jobkit/queue';
import { endedJob, waitFor, withWorker } from '@jobkit/worker/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';

const handlersModule = new URL('./fixtures/email-handlers.ts', import.meta.url).href;
const refusal = 'E-mail when a job finishes is not available on this server: it has no mail server configured (SMTP_URL, SMTP_FROM, PUBLIC_URL).';

let db: TestDatabase;
let smtp: TestSmtpServer;
let stopSending: () => void;
let ownerId: string;
/** A server with SMTP settings, and one without, for the same user. */
let withMail: ReturnType<typeof createCaller>;
let withoutMail: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  smtp = await startTestSmtpServer();
  ownerId = await createTestUser(db);
  withMail = createCaller(createInnerContext({ db, actor: { userId: ownerId, role: 'user' }, settings: { emailEnabled: true } }));
  withoutMail = createCaller(createInnerContext({ db, actor: { userId: ownerId, role: 'user' } }));
  stopSending = sendMailThrough(smtp, { from: 'jobs@jobkit.test', publicUrl: 'https://jobs.example.com' });
});
afterAll(async () => {
  stopSending();
  await smtp.close();
  await db.drop();
});

const notifyOf = async (jobId: string) => (await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).notifyByEmail;

describe('the notifyByEmail start option', () => {
  it('is refused, PRECONDITION_FAILED with the settings it needs, where the server has no mail server; nothing is stored', async () => {
    const before = await db.prisma.job.count();
    const one = await errorOf(withoutMail.analysis.startDocumentAnalysis({ input: { text: 'x' }, notifyByEmail: true }));
    expect([one.code, one.message]).toEqual(['PRECONDITION_FAILED', refusal]);
    const many = await errorOf(
      withoutMail.analysis.startMany({
        jobs: [
          { kind: 'documentAnalysis', input: { text: 'x' } },
          { kind: 'piiScan', input: { text: 'x' }, notifyByEmail: true },
        ],
      }),
    );
    expect([many.code, many.message]).toEqual(['PRECONDITION_FAILED', refusal]);
    expect(await db.prisma.job.count()).toBe(before);
    expect(await withoutMail.analysis.startOptions()).toEqual({ notifyByEmail: { unavailable: refusal } });
    // Not asking for it is fine anywhere.
    const { jobId } = await withoutMail.analysis.startDocumentAnalysis({ input: { text: 'x' }, notifyByEmail: false });
    expect(await notifyOf(jobId)).toBe(false);
  });

  it('is stored on the job where the server can send mail, by start<Kind> and startMany; off by default', async () => {
    expect(await withMail.analysis.startOptions()).toEqual({ notifyByEmail: { unavailable: null } });
    const asked = await withMail.analysis.startDocumentAnalysis({ input: { text: 'x' }, notifyByEmail: true });
    const notAsked = await withMail.analysis.startDocumentAnalysis({ input: { text: 'x' } });
    expect([await notifyOf(asked.jobId), await notifyOf(notAsked.jobId)]).toEqual([true, false]);
    const many = await withMail.analysis.startMany({
      jobs: [
        { kind: 'piiScan', input: { text: 'x' }, notifyByEmail: true },
        { kind: 'documentAnalysis', input: { text: 'x' } },
      ],
    });
    expect(await Promise.all(many.jobs.map((job) => notifyOf(job.jobId)))).toEqual([true, false]);
  });

  it('is a boolean: anything else is BAD_REQUEST naming the field', async () => {
    // @ts-expect-error a string, as a caller without types may send it (JSON over HTTP)
    const error = await errorOf(withMail.analysis.startDocumentAnalysis({ input: { text: 'x' }, notifyByEmail: 'yes' }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('notifyByEmail is true or false');
  });
});

describe('a job started with notifyByEmail', () => {
  const mailJobOf = async (jobId: string) => {
    const queued = await waitFor(async () => {
      const row = await db.prisma.job.findFirst({ where: { kind: 'emailNotification', input: { path: ['jobId'], equals: jobId } } });
      return row ?? undefined;
    });
    return endedJob(db, queued.id);
  };
  const mailsAbout = (jobId: string) => smtp.received.filter((mail) => mail.text.includes(`https://jobs.example.com/jobs/${jobId}`));

  it('mails its owner exactly once when it completes, fails or is cancelled, with none of its data', async () => {
    await db.pool.query("UPDATE job SET status = 'cancelled', finished_at = now() WHERE status = 'queued'");
    const secret = `secret-${randomUUID()}`;
    const start = () => withMail.analysis.startDocumentAnalysis({ input: { text: `The figures: ${secret}.` }, notifyByEmail: true });
    const [completed, failed, cancelled] = [await start(), await start(), await start()];

    await withWorker({ database: db, handlersModule, concurrency: 2 }, async () => {
      // What a worker of the analyses would do, with the same statements: the worker here sends only
      // mail. The first two started are claimed (queue order); the third is cancelled while queued.
      const claimed = await claimJobs(db.pool, { workerId: 'analyses', kinds: ['documentAnalysis'], limit: 2, leaseMs: 60_000 });
      const refOf = (jobId: string) => {
        const job = claimed.find((candidate) => candidate.id === jobId);
        if (!job) throw new Error(`job ${jobId} was not claimed`);
        return { jobId, workerId: 'analyses', attempt: job.attempt };
      };
      expect(await completeJob(db.pool, refOf(completed.jobId), { summary: [secret] }, 60_000)).toBe(true);
      const failure = { code: 'UNREADABLE', message: `Could not read ${secret}.` };
      expect(await failJob(db.pool, refOf(failed.jobId), failure, { retryable: false, retryDelayMs: 0, retentionMs: 60_000, outcome: 'failed' })).toBe('failed');
      expect(await withMail.jobs.cancelJob({ jobId: cancelled.jobId })).toMatchObject({ status: 'cancelled' });

      for (const [job, subject] of [
        [completed, 'Document analysis completed'],
        [failed, 'Document analysis failed'],
        [cancelled, 'Document analysis cancelled'],
      ] as const) {
        expect(await mailJobOf(job.jobId)).toMatchObject({ status: 'completed', ownerId });
        const mails = mailsAbout(job.jobId);
        expect(mails).toHaveLength(1);
        expect(mails[0]?.envelopeTo).toEqual([`${ownerId}@test.invalid`]);
        expect(mails[0]?.headers.subject).toBe(subject);
        expect(mails[0]?.text).not.toContain(secret);
        expect(mails[0]?.raw).not.toContain(secret);
      }
    });
  });
});
