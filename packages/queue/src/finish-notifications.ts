import type { Queryable } from '@jobkit/db';
import type { JobContract } from '@jobkit/contract';

/**
 * How a job's end is told to someone: a signed POST to the owner's webhook endpoint
 * (`job_webhook_on_finish`), an e-mail to the owner (`job_email_on_finish`). Each has a trigger
 * that enqueues its delivery job in the same transaction as the end, and a row in
 * `finish_notification_kind` saying what that job is.
 */
export type FinishNotificationChannel = 'webhook' | 'email';

/** What a finish trigger stamps on each delivery it enqueues. */
export interface FinishNotificationKind {
  kind: string;
  payloadVersion: number;
  maxAttempts: number;
}

export interface FinishNotificationRegistration {
  /** False when the stored row was kept: a newer release (a higher payload version) wrote it. */
  written: boolean;
  /** The row the trigger reads from now on. */
  stored: FinishNotificationKind;
}

interface StoredRow {
  kind: string;
  payload_version: number;
  max_attempts: number;
  written: boolean;
}

// One statement: when the guard keeps the stored row, the second branch returns it (its snapshot
// predates the upsert, which then changed nothing). The guard is the rolling deploy: while two
// releases run, the newer one's version must stay, or its deliveries would be stamped with a
// version whose readers are being stopped; an equal version is rewritten, so a changed attempt
// count reaches the row without a version bump.
const registerSql = `
WITH written AS (
  INSERT INTO finish_notification_kind AS stored (channel, kind, payload_version, max_attempts)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (channel) DO UPDATE
    SET kind = excluded.kind, payload_version = excluded.payload_version,
        max_attempts = excluded.max_attempts, updated_at = now()
    WHERE stored.payload_version <= excluded.payload_version
  RETURNING kind, payload_version, max_attempts
)
SELECT kind, payload_version, max_attempts, true AS written FROM written
UNION ALL
SELECT kind, payload_version, max_attempts, false FROM finish_notification_kind
WHERE channel = $1 AND NOT EXISTS (SELECT FROM written)`;

/**
 * Tells the database what a channel's trigger enqueues when a job finishes: the delivery
 * contract's kind, version and attempt count, so no second copy of them lives in SQL. Call it at
 * start, after the schema is ready, in every process that runs a worker with the delivery's
 * handler: that worker reads what it writes, so deliveries never wait for a reader that does not
 * exist. A process without the handler (an API server alone) does not call it.
 *
 * The trigger builds the delivery's input itself: a version of the contract whose input no longer
 * accepts that object needs a migration changing the trigger too.
 */
export async function registerFinishNotificationKind(
  db: Queryable,
  channel: FinishNotificationChannel,
  contract: Pick<JobContract, 'kind' | 'version' | 'maxAttempts'>,
): Promise<FinishNotificationRegistration> {
  const { rows } = await db.query<StoredRow>(registerSql, [channel, contract.kind, contract.version, contract.maxAttempts]);
  const [row] = rows;
  // The insert makes a row when there is none, so one branch always returns one.
  if (!row) throw new Error(`finish_notification_kind returned no ${channel} row after its upsert`);
  return { written: row.written, stored: { kind: row.kind, payloadVersion: row.payload_version, maxAttempts: row.max_attempts } };
}
