import { webhookDelivery } from './delivery-contract.ts';
import { defineHandler, JobFailure, type HandlerContext } from '@jobkit/worker';
import { postToTarget } from './request.ts';
import { signWebhook } from './signature.ts';
import { checkWebhookTarget, parseWebhookAllowList, type ResolveHost, type WebhookAllowList } from './target.ts';

/** Statuses that say "this request will never succeed": retrying would only repeat it. */
function isPermanent(status: number): boolean {
  return (status >= 300 && status < 500 && status !== 408 && status !== 429) || status < 200;
}

let parsedAllowList: { from: string | undefined; list: WebhookAllowList } | undefined;

/** JOBKIT_WEBHOOK_ALLOW as this process has it (the apps check it when they start). */
function allowListFromEnvironment(): WebhookAllowList {
  const value = process.env.JOBKIT_WEBHOOK_ALLOW;
  if (parsedAllowList !== undefined && parsedAllowList.from === value) return parsedAllowList.list;
  const list = parseWebhookAllowList(value);
  parsedAllowList = { from: value, list };
  return list;
}

// What the job's owner reads. Refused targets get one sentence whatever is (or is not) there, and
// reachable ones no more than an HTTP status: the delivery must not map the internal network.
const refusedMessage = 'Refused: the endpoint’s address is one webhooks may not reach (loopback, private, link-local or reserved).';
const unreachableMessage = 'The webhook endpoint could not be reached.';

/**
 * POSTs `{ type: "job.finished", timestamp, data: { jobId, kind, status } }` to the job's endpoint,
 * signed with its secrets. The URL is checked again here, just before connecting, and the
 * connection goes to the address that passed (see postToTarget). Unreachable endpoints, 5xx, 408 and
 * 429 are retried with the kind's backoff; refused targets and other answers fail at once.
 *
 * Inline: one short request that honours the job's signal, the kind of handler for which the hop to
 * a thread would cost more than the work.
 */
export function createWebhookDeliveryHandler(options: { resolve?: ResolveHost } = {}) {
  return defineHandler(
    webhookDelivery,
    async ({ input, signal, jobId, webhooks }: HandlerContext<typeof webhookDelivery>) => {
      const endpoint = await webhooks.endpoint(input.endpointId);
      if (!endpoint) {
        throw new JobFailure('WEBHOOK_ENDPOINT_DELETED', 'The webhook endpoint was deleted before the delivery.', { retryable: false });
      }
      const check = await checkWebhookTarget(endpoint.url, { allow: allowListFromEnvironment(), resolve: options.resolve });
      if (!check.ok) {
        // The reason (which kind of address, or the DNS failure) is for admins, in the attempt's history.
        if (check.refused) throw new JobFailure('WEBHOOK_REFUSED', refusedMessage, { retryable: false, detail: check.reason });
        throw new JobFailure('WEBHOOK_UNREACHABLE', unreachableMessage, { detail: check.reason });
      }
      const timestamp = new Date();
      const body = JSON.stringify({
        type: 'job.finished',
        timestamp: timestamp.toISOString(),
        data: { jobId: input.jobId, kind: input.kind, status: input.status },
      });
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'jobkit-webhooks/2',
        ...signWebhook(endpoint.secrets, { id: jobId, timestamp, body }),
      };
      let status: number;
      try {
        status = await postToTarget(check.target, headers, body, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        throw new JobFailure('WEBHOOK_UNREACHABLE', unreachableMessage, { cause: error, detail: error instanceof Error ? error.message : String(error) });
      }
      if (status < 200 || status >= 300) {
        const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
        throw new JobFailure('WEBHOOK_REJECTED', `Delivered, and the receiver answered HTTP ${status}${redirect}.`, {
          retryable: !isPermanent(status),
        });
      }
      return { outcome: 'delivered' as const, httpStatus: status, deliveredAt: new Date().toISOString() };
    },
    { isolation: 'inline' },
  );
}

export const webhookDeliveryHandler = createWebhookDeliveryHandler();
