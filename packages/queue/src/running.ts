import type pg from 'pg';
import { statementFor } from '@jobkit/db';
import type { AttemptRef } from './transitions.ts';

/** Writes to a job while it runs that do not end its attempt: progress, and lease extension. */

const leaseHeld = `id = $1 AND status = 'running' AND locked_by = $2 AND attempt = $3`;

// Progress never goes backwards within an attempt; a report without a message keeps the last one.
// A new stage message is also appended to the job's progress history (capped), for the admin viewer.
const progressSql = {
  name: 'jobkit_record_progress',
  text: `
UPDATE job SET
  progress = GREATEST(progress, $4),
  progress_message = coalesce($5, progress_message),
  progress_history = CASE
    WHEN $5 IS NOT NULL AND $5 IS DISTINCT FROM progress_message
         AND coalesce(jsonb_array_length(progress_history), 0) < 100
    THEN coalesce(progress_history, '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
      'at', now(), 'attempt', attempt, 'percent', GREATEST(progress, $4), 'message', $5))
    ELSE progress_history END,
  progress_data = coalesce($6::jsonb, progress_data),
  version = version + 1, updated_at = now()
WHERE ${leaseHeld}`,
};

export interface ProgressReport {
  percent: number;
  message?: string | undefined;
  data?: unknown;
}

export async function recordProgress(pool: pg.Pool, ref: AttemptRef, report: ProgressReport): Promise<boolean> {
  const { rowCount } = await pool.query(statementFor(pool, progressSql), [
    ref.jobId,
    ref.workerId,
    ref.attempt,
    Math.max(0, Math.min(100, Math.round(report.percent))),
    report.message ?? null,
    report.data === undefined ? null : JSON.stringify(report.data),
  ]);
  return rowCount === 1;
}

// Extends the leases of every job this worker still holds. Not a change clients can see, so it
// does not bump `version`. Jobs missing from the answer are no longer this worker's. The rows are
// locked in id order, as the statements that end attempts lock theirs (see transitions.ts): a
// heartbeat and a batch of completions of the same worker may run at once, on many of the same rows.
// Found by primary key only, the guard checked on the locked rows after: see transitions.ts for why.
const heartbeatSql = {
  name: 'jobkit_extend_leases',
  text: `
WITH locked AS MATERIALIZED (
  SELECT id, status, locked_by FROM job WHERE id = ANY($2::uuid[])
  ORDER BY id
  FOR UPDATE
), held AS MATERIALIZED (
  SELECT id FROM locked WHERE status = 'running' AND locked_by = $1
)
UPDATE job SET locked_until = now() + $3 * interval '1 millisecond'
FROM held WHERE job.id = held.id
RETURNING job.id, job.cancel_requested_at IS NOT NULL AS cancel_requested`,
};

export interface HeldLease {
  id: string;
  cancelRequested: boolean;
}

export async function extendLeases(
  pool: pg.Pool,
  workerId: string,
  jobIds: readonly string[],
  leaseMs: number,
): Promise<HeldLease[]> {
  if (jobIds.length === 0) return [];
  const { rows } = await pool.query<{ id: string; cancel_requested: boolean }>(statementFor(pool, heartbeatSql), [
    workerId,
    jobIds,
    leaseMs,
  ]);
  return rows.map((row) => ({ id: row.id, cancelRequested: row.cancel_requested }));
}
