import { z } from 'zod';
import { defineJob, terminalJobStatuses } from '@jobkit/contract';

/**
 * One e-mail telling a job's owner that the job ended. Enqueued by the database itself when a job
 * started with `notifyByEmail` reaches a final status (the `job_email_on_finish` trigger), in the
 * same transaction as the end, so it is never lost, and retried with backoff like any job.
 *
 * The trigger builds the input: the job, how it ended and the owner's address at that moment.
 * Nothing of the job's input or result is in it, so nothing of them can reach the mail.
 */
export const emailNotification = defineJob({
  kind: 'emailNotification',
  version: 1,
  title: 'E-mail notification',
  input: z.object({
    jobId: z.uuid(),
    kind: z.string(),
    status: z.enum(terminalJobStatuses),
    /** The user's address as stored (checked when the account was made): the mail server judges it. */
    to: z.string().min(1),
  }),
  progress: z.object({}),
  output: z.object({ outcome: z.literal('sent'), messageId: z.string(), sentAt: z.iso.datetime() }),
  timeoutMs: 60_000,
  maxAttempts: 10,
  // A mail server that is down or busy is usually back within minutes: ten attempts, the delays
  // doubling from 2 s (with their jitter, 8 to 17 minutes in all), wait that out.
  backoff: { initialDelayMs: 2_000, maxDelayMs: 10 * 60 * 1000 },
  internal: true,
});
