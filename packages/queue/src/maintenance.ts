import type pg from 'pg';

/** A staged file untouched for this long belongs to a process that died: the sweep deletes it. */
export const staleStagedFileMs = 10 * 60_000;

/**
 * Periodic upkeep any worker process may run; each step is safe to run from many processes at once.
 */

// Running jobs whose lease lapsed: their worker died, hung or lost the database. The attempt is
// recorded as lost and counts against the budget (a job that crashes its worker must not loop
// forever); the job runs again at once if attempts remain, keeping its `run_at` so it goes back to
// the front of the queue rather than behind the backlog. A job whose cancellation was requested
// ends cancelled instead. The job's owner reads `job.error`: it says what happened, not which
// worker (its host and pid are the infrastructure's business); the attempt's history row, which
// only admins see, names it.
const rescueSql = `
WITH expired AS (
  SELECT id, locked_by FROM job
  WHERE status = 'running' AND locked_until < now()
  ORDER BY locked_until
  LIMIT $1
  FOR UPDATE SKIP LOCKED
), rescued AS (
  UPDATE job SET
    status = CASE
      WHEN job.cancel_requested_at IS NOT NULL THEN 'cancelled'
      WHEN job.attempt < job.max_attempts THEN 'queued'
      ELSE 'failed' END::"JobStatus",
    error = jsonb_build_object('code', 'LEASE_EXPIRED', 'message',
      'The worker running attempt ' || job.attempt || ' stopped responding.'),
    finished_at = CASE WHEN job.cancel_requested_at IS NULL AND job.attempt < job.max_attempts THEN NULL ELSE now() END,
    expires_at = CASE WHEN job.cancel_requested_at IS NULL AND job.attempt < job.max_attempts THEN NULL
      ELSE now() + coalesce(($2::jsonb ->> job.kind)::bigint, $3) * interval '1 millisecond' END,
    locked_by = NULL, locked_until = NULL, version = job.version + 1, updated_at = now()
  FROM expired
  WHERE job.id = expired.id
  RETURNING job.id, job.kind, job.attempt, job.status, job.error, expired.locked_by
), history AS (
  UPDATE job_attempt SET outcome = 'lost', finished_at = now(),
    error = rescued.error || jsonb_build_object('detail', 'The lease of ' || rescued.locked_by || ' lapsed.')
  FROM rescued WHERE job_attempt.job_id = rescued.id AND job_attempt.attempt = rescued.attempt
)
SELECT id, kind, status FROM rescued`;

export interface RescueOptions {
  limit: number;
  /** Retention of each kind, for jobs the rescue finishes for good. */
  retentionMsByKind: Readonly<Record<string, number>>;
  defaultRetentionMs: number;
}

export interface RescuedJob {
  id: string;
  kind: string;
  /** `queued` to run again, `failed` with its attempts used up, `cancelled` if that was asked. */
  status: 'queued' | 'failed' | 'cancelled';
}

export async function rescueExpiredJobs(
  pool: pg.Pool,
  options: RescueOptions,
): Promise<RescuedJob[]> {
  const { rows } = await pool.query<RescuedJob>(rescueSql, [
    options.limit,
    JSON.stringify(options.retentionMsByKind),
    options.defaultRetentionMs,
  ]);
  return rows;
}

// One lock id for "the retention sweep": whichever process takes it sweeps, the others skip.
const retentionLockId = 72_707_370;

const sweepSql = `
WITH expired AS (
  SELECT id FROM job WHERE expires_at < now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
), deleted AS (
  DELETE FROM job USING expired WHERE job.id = expired.id
  RETURNING job.id, job.owner_id, job.kind, job.expires_at
)
INSERT INTO expired_job (id, owner_id, kind, expired_at)
SELECT id, owner_id, kind, expires_at FROM deleted
ON CONFLICT (id) DO NOTHING`;

// Files no job refers to any more. A file a job used or wrote goes with its last job (retention,
// or an admin's delete); an upload no job ever used goes after a grace period, as the uploader may
// still be about to start a job with it; a staged file (still arriving) goes once nothing has
// touched it for a while, as its process died. SKIP LOCKED: a file a start is linking right now
// is left for the next sweep.
const sweepFilesSql = `
DELETE FROM stored_file WHERE id IN (
  SELECT id FROM stored_file f
  WHERE f.staged_at IS NULL
    AND (f.attached_at IS NOT NULL OR f.created_at < now() - $2 * interval '1 millisecond')
    AND NOT EXISTS (SELECT 1 FROM job_file WHERE job_file.file_id = f.id)
  LIMIT $1
  FOR UPDATE SKIP LOCKED)`;

const sweepStaleStagedFilesSql = `
DELETE FROM stored_file WHERE id IN (
  SELECT id FROM stored_file WHERE staged_at < now() - $2 * interval '1 millisecond' LIMIT $1 FOR UPDATE SKIP LOCKED)`;

const forgetTombstonesSql = `DELETE FROM expired_job WHERE expired_at < now() - $1 * interval '1 millisecond'`;

/**
 * Deletes finished jobs past their `expires_at` (their attempts go with them) and leaves a
 * tombstone so their owners learn they expired; then the files no job refers to any more. Returns
 * how many jobs it deleted, or null when another process holds the sweep.
 */
export async function sweepExpiredJobs(
  pool: pg.Pool,
  options: { batchSize: number; tombstoneMs: number; unusedFileMs: number; staleStagedFileMs?: number },
): Promise<number | null> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      retentionLockId,
    ]);
    if (!rows[0]?.locked) {
      await client.query('ROLLBACK');
      return null;
    }
    const swept = await client.query(sweepSql, [options.batchSize]);
    await client.query(sweepFilesSql, [options.batchSize, options.unusedFileMs]);
    await client.query(sweepStaleStagedFilesSql, [options.batchSize, options.staleStagedFileMs ?? staleStagedFileMs]);
    await client.query(forgetTombstonesSql, [options.tombstoneMs]);
    await client.query('COMMIT');
    return swept.rowCount ?? 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
