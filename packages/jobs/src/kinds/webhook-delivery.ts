import { z } from 'zod';
import { defineJob, jobStatusSchema } from '../define.ts';

/**
 * One delivery of a job's completion webhook to a registered endpoint. Enqueued by the database
 * itself when a job that names an endpoint reaches a final status (see the `job_webhook_on_finish`
 * trigger), so it is never lost and retried with backoff like any job. The job's id is the
 * message's `webhook-id`, the same on every retry.
 *
 * Its owner reads the outcome, so it tells only what a receiver of one's own may know: "delivered"
 * with the HTTP status, "could not be reached", or "refused" for a target webhooks may not reach
 * (never what answers there: no port scanner).
 */
export const webhookDelivery = defineJob({
  kind: 'webhookDelivery',
  version: 2,
  title: 'Webhook delivery',
  input: z.object({
    endpointId: z.uuid(),
    jobId: z.uuid(),
    kind: z.string(),
    status: jobStatusSchema,
  }),
  progress: z.object({}),
  output: z.object({ outcome: z.literal('delivered'), httpStatus: z.int(), deliveredAt: z.iso.datetime() }),
  timeoutMs: 15_000,
  maxAttempts: 8,
  backoff: { initialDelayMs: 2_000, maxDelayMs: 10 * 60 * 1000 },
  internal: true,
});
