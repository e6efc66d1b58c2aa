import type { Queryable } from '@jobkit/db';
import type { JobContract } from '@jobkit/contract';
// The module alone, not the queue's root: the apps read the settings from this package's root,
// and an API server that sends no mail should not load the queue for them.
import { registerFinishNotificationKind, type FinishNotificationRegistration } from '@jobkit/queue/finish-notifications';
import { emailNotification } from './contract.ts';

/**
 * Tells the database what the `job_email_on_finish` trigger enqueues when a job started with
 * `notifyByEmail` finishes: the `emailNotification` contract's kind, version and attempts (its
 * `email` row of finish_notification_kind; see registerFinishNotificationKind for when to call it).
 *
 * The trigger builds the input itself ({ jobId, kind, status, to }): a version of the contract
 * whose input no longer accepts that object needs a migration changing the trigger too.
 */
export async function registerEmailNotificationKind(
  db: Queryable,
  contract: Pick<JobContract, 'kind' | 'version' | 'maxAttempts'> = emailNotification,
): Promise<FinishNotificationRegistration> {
  return registerFinishNotificationKind(db, 'email', contract);
}
