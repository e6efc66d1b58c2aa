import { z } from 'zod';
import { defineJob, jobStatusSchema } from '@jobkit/contract';
import { PayloadUpcastRefused } from '@jobkit/contract';

/**
 * Version 1 named a bare URL, signed with one secret for the whole installation
 * (JOBKIT_WEBHOOK_SECRET, since removed). Kept so that deliveries queued before the endpoints
 * migration end with a reason instead of INVALID_PAYLOAD.
 */
const deliveryInputV1 = z.object({
  url: z.url({ protocol: /^https?$/ }),
  jobId: z.uuid(),
  kind: z.string(),
  status: jobStatusSchema,
});

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
  previous: { 1: deliveryInputV1 },
  upcast: {
    // No endpoint can be made up for a bare URL: it would have no secret its receiver knows, and
    // the URL was never checked as endpoints are. So a version 1 delivery ends, saying why.
    1: (v1) => {
      throw new PayloadUpcastRefused(
        'WEBHOOK_ENDPOINT_REQUIRED',
        `This delivery to ${new URL(v1.url).host} was queued before webhooks went to registered endpoints, ` +
          'and was not sent: a bare URL has no secret to sign with. Register the URL as a webhook endpoint ' +
          'and name it when starting jobs.',
      );
    },
  },
  progress: z.object({}),
  output: z.object({ outcome: z.literal('delivered'), httpStatus: z.int(), deliveredAt: z.iso.datetime() }),
  timeoutMs: 15_000,
  maxAttempts: 8,
  backoff: { initialDelayMs: 2_000, maxDelayMs: 10 * 60 * 1000 },
  internal: true,
});
