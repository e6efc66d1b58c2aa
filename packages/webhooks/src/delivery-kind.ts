import type { Queryable } from '@jobkit/db';
import type { JobContract } from '@jobkit/contract';
// The module alone, not the queue's root: a receiver that imports this package's root for
// verifyWebhook should not load pg and the queue with it.
import { registerFinishNotificationKind, type FinishNotificationRegistration } from '@jobkit/queue/finish-notifications';
import { webhookDelivery } from './delivery-contract.ts';

/**
 * Tells the database what the `job_webhook_on_finish` trigger enqueues when a job that names a
 * webhook endpoint finishes: the `webhookDelivery` contract's kind, version and attempts (its
 * `webhook` row of finish_notification_kind; see registerFinishNotificationKind for when to call it).
 *
 * The trigger builds the input itself ({ endpointId, jobId, kind, status }): a version of the
 * contract whose input no longer accepts that object needs a migration changing the trigger too.
 */
export async function registerWebhookDeliveryKind(
  db: Queryable,
  contract: Pick<JobContract, 'kind' | 'version' | 'maxAttempts'> = webhookDelivery,
): Promise<FinishNotificationRegistration> {
  return registerFinishNotificationKind(db, 'webhook', contract);
}
