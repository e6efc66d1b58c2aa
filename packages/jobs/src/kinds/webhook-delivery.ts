import { z } from 'zod';
import { defineJob, jobStatusSchema } from '../define.ts';

/**
 * One delivery of a job's completion webhook. Enqueued by the database itself when a job with a
 * `webhookUrl` reaches a final status (see the `job_webhook_on_finish` trigger), so it is never lost
 * and retried with backoff like any job.
 */
export const webhookDelivery = defineJob({
  kind: 'webhookDelivery',
  version: 1,
  title: 'Webhook delivery',
  input: z.object({
    url: z.url({ protocol: /^https?$/ }),
    jobId: z.uuid(),
    kind: z.string(),
    status: jobStatusSchema,
  }),
  progress: z.object({}),
  output: z.object({ httpStatus: z.int(), deliveredAt: z.iso.datetime() }),
  timeoutMs: 15_000,
  maxAttempts: 8,
  backoff: { initialDelayMs: 2_000, maxDelayMs: 10 * 60 * 1000 },
  internal: true,
});
