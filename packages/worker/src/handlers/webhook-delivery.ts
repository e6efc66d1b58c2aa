import { webhookDelivery } from '@jobkit/jobs';
import { defineHandler, JobFailure, type HandlerContext } from '../handler.ts';
import { signWebhook } from '../webhook-signature.ts';

/** Statuses that say "this request will never succeed": retrying would only repeat it. */
function isPermanent(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * POSTs `{ jobId, kind, status }` to the job's webhook URL, signed with JOBKIT_WEBHOOK_SECRET.
 * Network errors, timeouts and 5xx/408/429 answers are retried with the kind's backoff.
 *
 * Inline: one short request that honours the job's signal (fetch aborts with it), which is the
 * kind of handler for which the hop to a thread would cost more than the work.
 */
async function deliver({ input, signal, jobId }: HandlerContext<typeof webhookDelivery>) {
  const secret = process.env.JOBKIT_WEBHOOK_SECRET;
  if (!secret) {
    throw new JobFailure('WEBHOOK_NOT_CONFIGURED', 'JOBKIT_WEBHOOK_SECRET is not set on the worker.', { retryable: false });
  }
  const body = JSON.stringify({ event: 'job.finished', jobId: input.jobId, kind: input.kind, status: input.status });
  const response = await fetch(input.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'jobkit-webhooks/1',
      'jobkit-delivery': jobId,
      'jobkit-signature': signWebhook(secret, body),
    },
    body,
    signal,
    redirect: 'manual',
  });
  await response.body?.cancel();
  if (!response.ok) {
    throw new JobFailure('WEBHOOK_REJECTED', `${input.url} answered ${response.status}.`, {
      retryable: !isPermanent(response.status),
    });
  }
  return { httpStatus: response.status, deliveredAt: new Date().toISOString() };
}

export const webhookDeliveryHandler = defineHandler(webhookDelivery, deliver, { isolation: 'inline' });
