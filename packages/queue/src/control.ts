import type pg from 'pg';
import type { Queryable } from '@jobkit/db';
import { cancelChannel, jobsChannel } from './notifications.ts';
import { externalAttempt, externalWorkerId } from './tracked.ts';
import { finishCancelledJob } from './transitions.ts';

/**
 * What callers (the API, an admin) may do to a job from outside its worker. Each is a guarded
 * statement: it acts only from the statuses named in its WHERE clause, so a race with a worker
 * finishing the job cannot produce an impossible history.
 */

const cancelQueuedSql = `
UPDATE job SET
  status = 'cancelled', cancel_requested_at = now(), finished_at = now(),
  expires_at = now() + $2 * interval '1 millisecond',
  error = '{"code":"CANCELLED","message":"The job was cancelled before it started."}'::jsonb,
  version = version + 1, updated_at = now()
WHERE id = $1 AND status = 'queued'
RETURNING id`;

// The worker holding the job hears of it through NOTIFY at once (any process, any machine), and
// through its next heartbeat if it missed the notification.
const requestCancelSql = `
WITH requested AS (
  UPDATE job SET cancel_requested_at = coalesce(cancel_requested_at, now()), version = version + 1, updated_at = now()
  WHERE id = $1 AND status = 'running'
  RETURNING id, locked_by
)
SELECT id, locked_by, pg_notify('${cancelChannel}', id::text) FROM requested`;

export type CancelOutcome =
  | { result: 'cancelled' }
  | { result: 'cancelling' }
  | { result: 'not-cancellable'; status: 'completed' | 'failed' | 'cancelled' }
  | { result: 'not-found' };

/**
 * Cancels a queued job at once; asks the worker of a running job to stop it. A tracked job has no
 * worker of ours to hear that: it ends cancelled at once, and its reporter's later calls are refused.
 */
export async function cancelJob(pool: pg.Pool, jobId: string, retentionMs: number): Promise<CancelOutcome> {
  if ((await pool.query(cancelQueuedSql, [jobId, retentionMs])).rowCount === 1) return { result: 'cancelled' };
  const requested = await pool.query<{ locked_by: string | null }>(requestCancelSql, [jobId]);
  const lockedBy = requested.rows[0]?.locked_by;
  if (lockedBy === externalWorkerId) {
    if (await finishCancelledJob(pool, externalAttempt(jobId), retentionMs)) return { result: 'cancelled' };
    // Its reporter completed or failed it in between: say what it is now.
    return cancelJob(pool, jobId, retentionMs);
  }
  if (requested.rowCount === 1) return { result: 'cancelling' };
  const { rows } = await pool.query<{ status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' }>(
    'SELECT status FROM job WHERE id = $1',
    [jobId],
  );
  const status = rows[0]?.status;
  if (status === undefined) return { result: 'not-found' };
  // Queued or running again already (a claim or a retry raced us): try once more.
  if (status === 'queued' || status === 'running') return cancelJob(pool, jobId, retentionMs);
  return { result: 'not-cancellable', status };
}

// A new attempt with the kind's full attempt budget; the history rows of earlier attempts stay.
const retrySql = `
WITH again AS (
  UPDATE job SET
    status = 'queued', run_at = now(), max_attempts = attempt + $2,
    result = NULL, error = NULL, progress = 0, progress_message = NULL, progress_data = NULL,
    cancel_requested_at = NULL, finished_at = NULL, expires_at = NULL,
    version = version + 1, updated_at = now()
  WHERE id = $1 AND status IN ('failed', 'cancelled')
  RETURNING id, kind
)
SELECT id, pg_notify('${jobsChannel}', kind) FROM again`;

/**
 * Queues a failed or cancelled job again. False when the job is in any other status. `db` may be a
 * client in a transaction (the API checks the owner's limits under the same lock).
 */
export async function retryJob(db: Queryable, jobId: string, attempts: number): Promise<boolean> {
  return (await db.query(retrySql, [jobId, attempts])).rowCount === 1;
}
