import { jobErrorSchema } from '@jobkit/contract';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { cancelJob } from '@jobkit/queue';
import { endedJob, enqueue, waitFor, withWorker } from '@jobkit/worker/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailNotification } from '../src/contract.ts';
import { sendMailThrough, startTestSmtpServer, type TestSmtpServer } from '../src/testing.ts';
import { quickJob } from './fixtures/handlers.ts';

const handlersModule = new URL('./fixtures/handlers.ts', import.meta.url).href;
const publicUrl = 'https://jobs.example.com/app';

let db: TestDatabase;
let smtp: TestSmtpServer;
let stopSending: () => void;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  smtp = await startTestSmtpServer();
  ownerId = await createTestUser(db);
  stopSending = sendMailThrough(smtp, { from: 'Jobkit <jobs@jobkit.test>', publicUrl });
});
afterEach(() => {
  // A test that pointed it elsewhere (a server that is down) leaves the others the running one.
  process.env.SMTP_URL = smtp.url;
});
afterAll(async () => {
  stopSending();
  await smtp.close();
  await db.drop();
});

const run = (use: () => Promise<void>) => withWorker({ database: db, handlersModule, concurrency: 2 }, use);

/** A quick job of the owner's, with a secret of its own in its input (and so in its result). */
async function startQuickJob(options: { fail?: boolean; notifyByEmail?: boolean; runAt?: Date } = {}) {
  const secret = `secret-${randomUUID()}`;
  const [jobId] = await enqueue(db, quickJob, ownerId, [{ secret, fail: options.fail }], {
    notifyByEmail: options.notifyByEmail ?? true,
    runAt: options.runAt,
  });
  if (!jobId) throw new Error('no job enqueued');
  return { jobId, secret };
}

/** The e-mail job the finish trigger enqueued for `jobId`, once it has ended. */
async function endedMailJob(jobId: string) {
  const queued = await waitFor(async () => {
    const row = await db.prisma.job.findFirst({ where: { kind: emailNotification.kind, input: { path: ['jobId'], equals: jobId } } });
    return row ?? undefined;
  });
  return endedJob(db, queued.id);
}

const mailsAbout = (server: TestSmtpServer, jobId: string) => server.received.filter((mail) => mail.text.includes(`/jobs/${jobId}`));
const attemptErrors = (attempts: { attempt: number; outcome: string; error: unknown }[]) =>
  [...attempts].sort((a, b) => a.attempt - b.attempt).map((a) => [a.outcome, jobErrorSchema.nullable().parse(a.error)?.message ?? null]);

describe('e-mail when a job finishes', () => {
  it('sends the owner exactly one mail when the job completes: subject, link to its page, and none of its data', async () => {
    await run(async () => {
      const { jobId, secret } = await startQuickJob();
      const mailJob = await endedMailJob(jobId);
      expect(mailJob).toMatchObject({ status: 'completed', ownerId, result: { outcome: 'sent', messageId: `<${mailJob.id}@jobkit.test>` } });

      const mails = mailsAbout(smtp, jobId);
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(mail?.envelopeTo).toEqual([`${ownerId}@test.invalid`]);
      expect(mail?.envelopeFrom).toBe('jobs@jobkit.test');
      // The server takes mail only after AUTH: the user and password came from SMTP_URL, percent-decoded.
      expect(mail?.headers).toMatchObject({
        to: `${ownerId}@test.invalid`,
        from: 'Jobkit <jobs@jobkit.test>',
        subject: 'Quick job completed',
        'message-id': `<${mailJob.id}@jobkit.test>`,
      });
      expect(mail?.text).toContain('Your job "Quick job" has completed.');
      expect(mail?.text).toContain(`Open it: ${publicUrl}/jobs/${jobId}`);
      // Neither the input nor the result (which holds the input's secret) reached the mail.
      expect(await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ result: { found: `result of ${secret}` } });
      expect(mail?.text).not.toContain(secret);
      expect(mail?.raw).not.toContain(secret);
    });
  });

  it('sends one for a failed job and one for a cancelled job, each saying how it ended', async () => {
    await run(async () => {
      const failed = await startQuickJob({ fail: true });
      expect(await endedMailJob(failed.jobId)).toMatchObject({ status: 'completed' });
      // A queued job cancelled before it ran: another statement that ends a job, the same mail.
      const cancelled = await startQuickJob({ runAt: new Date(Date.now() + 3_600_000) });
      expect(await cancelJob(db.pool, cancelled.jobId, quickJob.retentionMs)).toEqual({ result: 'cancelled' });
      expect(await endedMailJob(cancelled.jobId)).toMatchObject({ status: 'completed' });

      const [failedMail] = mailsAbout(smtp, failed.jobId);
      expect(mailsAbout(smtp, failed.jobId)).toHaveLength(1);
      expect(failedMail?.headers.subject).toBe('Quick job failed');
      expect(failedMail?.text).toContain('Your job "Quick job" has failed; its page says why.');
      // The failure's message may quote what the job read: it stays on the job's page.
      expect(failedMail?.text).not.toContain('asked to fail');

      const [cancelledMail] = mailsAbout(smtp, cancelled.jobId);
      expect(mailsAbout(smtp, cancelled.jobId)).toHaveLength(1);
      expect(cancelledMail?.headers.subject).toBe('Quick job cancelled');
      expect(cancelledMail?.text).toContain('Your job "Quick job" was cancelled.');
    });
  });

  it('sends nothing for a job started without the option', async () => {
    await run(async () => {
      const { jobId } = await startQuickJob({ notifyByEmail: false });
      expect(await endedJob(db, jobId)).toMatchObject({ status: 'completed' });
      // The trigger runs in the ending transaction: had it enqueued a mail, the mail job would exist now.
      expect(await db.prisma.job.count({ where: { kind: emailNotification.kind, input: { path: ['jobId'], equals: jobId } } })).toBe(0);
      expect(mailsAbout(smtp, jobId)).toHaveLength(0);
    });
  });
});

describe('a mail server that refuses or is down', () => {
  it('retries a refused recipient (451, then 550) with backoff and sends the mail once it is taken', async () => {
    await run(async () => {
      const recipientsBefore = smtp.recipientCommands();
      smtp.refuseRecipients([451, 550]);
      const { jobId } = await startQuickJob();
      const mailJob = await endedMailJob(jobId);
      expect(mailJob.status).toBe('completed');
      expect(attemptErrors(mailJob.attempts)).toEqual([
        ['failed', 'The mail server did not take the e-mail (it answered 451).'],
        ['failed', 'The mail server did not take the e-mail (it answered 550).'],
        ['completed', null],
      ]);
      expect(smtp.recipientCommands() - recipientsBefore).toBe(3);
      expect(mailsAbout(smtp, jobId)).toHaveLength(1);
    });
  });

  it('keeps the mail queued while the server is down, and sends it when the server is back', async () => {
    const gone = await startTestSmtpServer();
    await gone.close();
    process.env.SMTP_URL = gone.url;
    await run(async () => {
      const { jobId } = await startQuickJob();
      const queued = await waitFor(async () => {
        const row = await db.prisma.job.findFirst({
          where: { kind: emailNotification.kind, input: { path: ['jobId'], equals: jobId } },
          include: { attempts: true },
        });
        return row?.attempts.some((attempt) => attempt.outcome === 'failed') ? row : undefined;
      });
      const failedAttempt = await db.prisma.job.findUniqueOrThrow({ where: { id: queued.id }, include: { attempts: true } });
      // Not lost: queued again for a later attempt, the owner told only that the server could not be reached.
      expect(failedAttempt.status).toBe('queued');
      expect(jobErrorSchema.parse(failedAttempt.attempts[0]?.error)).toMatchObject({
        code: 'EMAIL_SERVER_UNREACHABLE',
        message: 'The mail server could not be reached.',
      });

      const back = await startTestSmtpServer({ port: gone.port });
      try {
        expect(await endedJob(db, queued.id)).toMatchObject({ status: 'completed' });
        expect(mailsAbout(back, jobId)).toHaveLength(1);
      } finally {
        await back.close();
      }
    });
  });
});
