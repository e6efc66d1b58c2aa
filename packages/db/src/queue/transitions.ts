import type pg from 'pg';
import { jobsChannel } from './notifications.ts';

/**
 * The guarded state transitions of a running job. Each is one statement whose WHERE clause names
 * the lease holder: `status = 'running' AND locked_by = $worker AND attempt = $attempt`. A worker
 * that lost its job (lease expired and the job was taken again, or cancelled) matches no row, so
 * it can never overwrite what the newer attempt wrote. Each returns whether it was accepted.
 */

/** The attempt a worker holds: its identity is part of every write. */
export interface AttemptRef {
  jobId: string;
  workerId: string;
  attempt: number;
}

export interface FailureRecord {
  code: string;
  message: string;
  /** Trimmed; kept on the attempt only, never shown to API callers. */
  stack?: string;
}

const leaseHeld = `id = $1 AND status = 'running' AND locked_by = $2 AND attempt = $3`;

/**
 * The one shape of every statement that ends an attempt: change the job only if this worker still
 * holds that attempt (`leaseHeld`), drop the lease, bump `version`, close the attempt's history row
 * with its outcome, and answer from the changed row. No row answered: the lease was lost.
 */
function endAttemptSql(parts: { job: string; outcome: string; attemptError?: string; answer: string }): string {
  const attemptError = parts.attemptError ? `, error = ${parts.attemptError}` : '';
  return `
WITH done AS (
  UPDATE job SET
    ${parts.job},
    locked_by = NULL, locked_until = NULL, version = version + 1, updated_at = now()
  WHERE ${leaseHeld}
  RETURNING id, attempt, kind, status
), history AS (
  UPDATE job_attempt SET finished_at = now(), outcome = ${parts.outcome}${attemptError}
  FROM done WHERE job_attempt.job_id = done.id AND job_attempt.attempt = done.attempt
)
SELECT ${parts.answer} FROM done`;
}

const completeSql = endAttemptSql({
  job: `status = 'completed', result = $4::jsonb, error = NULL, progress = 100,
    finished_at = now(), expires_at = now() + $5 * interval '1 millisecond'`,
  outcome: `'completed'`,
  answer: 'id',
});

export async function completeJob(
  pool: pg.Pool,
  ref: AttemptRef,
  result: unknown,
  retentionMs: number,
): Promise<boolean> {
  const { rowCount } = await pool.query(completeSql, [
    ref.jobId,
    ref.workerId,
    ref.attempt,
    JSON.stringify(result),
    retentionMs,
  ]);
  return rowCount === 1;
}

// Retry when the error allows it and attempts remain: back to `queued`, runnable after the delay.
// Otherwise the job fails for good and starts its retention period.
const failSql = endAttemptSql({
  job: `status = CASE WHEN $5 AND attempt < max_attempts THEN 'queued'::"JobStatus" ELSE 'failed'::"JobStatus" END,
    run_at = CASE WHEN $5 AND attempt < max_attempts THEN now() + $6 * interval '1 millisecond' ELSE run_at END,
    finished_at = CASE WHEN $5 AND attempt < max_attempts THEN NULL ELSE now() END,
    expires_at = CASE WHEN $5 AND attempt < max_attempts THEN NULL ELSE now() + $7 * interval '1 millisecond' END,
    error = $4::jsonb - 'stack'`,
  outcome: `$8::"AttemptOutcome"`,
  attemptError: '$4::jsonb',
  answer: 'status',
});

export interface FailOptions {
  retryable: boolean;
  retryDelayMs: number;
  retentionMs: number;
  outcome: 'failed' | 'timed_out';
}

/** Returns the job's new status (`queued` for a retry, `failed`), or null if the lease was lost. */
export async function failJob(
  pool: pg.Pool,
  ref: AttemptRef,
  failure: FailureRecord,
  options: FailOptions,
): Promise<'queued' | 'failed' | null> {
  const { rows } = await pool.query<{ status: 'queued' | 'failed' }>(failSql, [
    ref.jobId,
    ref.workerId,
    ref.attempt,
    JSON.stringify(failure),
    options.retryable,
    options.retryDelayMs,
    options.retentionMs,
    options.outcome,
  ]);
  return rows[0]?.status ?? null;
}

const cancelRunningSql = endAttemptSql({
  job: `status = 'cancelled', finished_at = now(), expires_at = now() + $4 * interval '1 millisecond',
    error = '{"code":"CANCELLED","message":"The job was cancelled while it ran."}'::jsonb`,
  outcome: `'cancelled'`,
  answer: 'id',
});

/** Ends a running job as cancelled once its handler has stopped. */
export async function finishCancelledJob(pool: pg.Pool, ref: AttemptRef, retentionMs: number): Promise<boolean> {
  const { rowCount } = await pool.query(cancelRunningSql, [ref.jobId, ref.workerId, ref.attempt, retentionMs]);
  return rowCount === 1;
}

// A graceful shutdown gives the job back: queued again at once, in its old place (same run_at),
// and the attempt it was on does not count against its budget (max_attempts grows by one; the
// history row says `released`).
const releaseSql = endAttemptSql({
  job: `status = 'queued', max_attempts = max_attempts + 1`,
  outcome: `'released'`,
  answer: `id, pg_notify('${jobsChannel}', kind)`,
});

export async function releaseJob(pool: pg.Pool, ref: AttemptRef): Promise<boolean> {
  const { rowCount } = await pool.query(releaseSql, [ref.jobId, ref.workerId, ref.attempt]);
  return rowCount === 1;
}

// Progress never goes backwards within an attempt; a report without a message keeps the last one.
// A new stage message is also appended to the job's progress history (capped), for the admin viewer.
const progressSql = `
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
WHERE ${leaseHeld}`;

export interface ProgressReport {
  percent: number;
  message?: string | undefined;
  data?: unknown;
}

export async function recordProgress(pool: pg.Pool, ref: AttemptRef, report: ProgressReport): Promise<boolean> {
  const { rowCount } = await pool.query(progressSql, [
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
// does not bump `version`. Jobs missing from the answer are no longer this worker's.
const heartbeatSql = `
UPDATE job SET locked_until = now() + $3 * interval '1 millisecond'
WHERE id = ANY($2::uuid[]) AND status = 'running' AND locked_by = $1
RETURNING id, cancel_requested_at IS NOT NULL AS cancel_requested`;

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
  const { rows } = await pool.query<{ id: string; cancel_requested: boolean }>(heartbeatSql, [
    workerId,
    jobIds,
    leaseMs,
  ]);
  return rows.map((row) => ({ id: row.id, cancelRequested: row.cancel_requested }));
}
