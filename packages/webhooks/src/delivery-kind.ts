import type { Queryable } from '@jobkit/db';
import type { JobContract } from '@jobkit/contract';
import { webhookDelivery } from './delivery-contract.ts';

/** What the `job_webhook_on_finish` trigger stamps on each delivery it enqueues. */
export interface WebhookDeliveryKind {
  kind: string;
  payloadVersion: number;
  maxAttempts: number;
}

export interface WebhookDeliveryRegistration {
  /** False when the stored row was kept: a newer release (a higher payload version) wrote it. */
  written: boolean;
  /** The row the trigger reads from now on. */
  stored: WebhookDeliveryKind;
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
  INSERT INTO webhook_delivery_kind AS stored (singleton, kind, payload_version, max_attempts)
  VALUES (true, $1, $2, $3)
  ON CONFLICT (singleton) DO UPDATE
    SET kind = excluded.kind, payload_version = excluded.payload_version,
        max_attempts = excluded.max_attempts, updated_at = now()
    WHERE stored.payload_version <= excluded.payload_version
  RETURNING kind, payload_version, max_attempts
)
SELECT kind, payload_version, max_attempts, true AS written FROM written
UNION ALL
SELECT kind, payload_version, max_attempts, false FROM webhook_delivery_kind WHERE NOT EXISTS (SELECT FROM written)`;

/**
 * Tells the database what the trigger enqueues when a job that names a webhook endpoint finishes:
 * the delivery contract's kind, version and attempt count, so no second copy of them lives in SQL.
 * Call it at start, after the schema is ready, in every process that runs a worker with the
 * delivery handler: that worker reads what it writes, so deliveries never wait for a reader that
 * does not exist. A process without the handler (an API server alone) does not call it.
 *
 * The trigger builds the input itself ({ endpointId, jobId, kind, status }): a version of the
 * contract whose input no longer accepts that object needs a migration changing the trigger too.
 */
export async function registerWebhookDeliveryKind(
  db: Queryable,
  contract: Pick<JobContract, 'kind' | 'version' | 'maxAttempts'> = webhookDelivery,
): Promise<WebhookDeliveryRegistration> {
  const { rows } = await db.query<StoredRow>(registerSql, [contract.kind, contract.version, contract.maxAttempts]);
  const [row] = rows;
  // The insert makes a row when there is none, so one branch always returns one.
  if (!row) throw new Error('webhook_delivery_kind returned no row after its upsert');
  return { written: row.written, stored: { kind: row.kind, payloadVersion: row.payload_version, maxAttempts: row.max_attempts } };
}
