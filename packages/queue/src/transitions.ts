import type pg from 'pg';
import { statementFor, type NamedStatement } from '@jobkit/db';
import { jobsChannel } from './notifications.ts';

/**
 * The guarded transitions that end an attempt. Each takes any number of attempts and writes them
 * in one statement (a worker batches the ends of its jobs), and changes a job only while
 * `status = 'running' AND locked_by = <worker> AND attempt = <attempt>` holds. A worker that lost
 * its job (lease expired and the job was taken again, or cancelled) matches no row, so it can never
 * overwrite what the newer attempt wrote. Each answers which of the attempts it was given it ended.
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
  stack?: string | undefined;
  /**
   * What only admins may read, kept on the attempt only: the original error of an unexpected
   * failure, a provider's address. `message` is what the job's owner reads.
   */
  detail?: string | undefined;
}

interface EndStatement {
  name: string;
  /** This transition's own per-attempt values, after the attempt's identity: [name, SQL type]. */
  columns: readonly (readonly [name: string, type: string])[];
  /** The job's new values; `given.<column>` is the value given for this attempt. */
  job: string;
  /** The attempt's outcome (and error), for its history row. */
  outcome: string;
  attemptError?: string;
  answer: string;
}

/**
 * The one shape of every statement that ends attempts. The attempts arrive as parallel arrays
 * (`unnest`), one row each. `locked` locks the jobs in id order: a worker's batch and its heartbeat
 * both lock many of its rows, and always locking in the same order is what keeps them from
 * deadlocking on each other. `held` keeps the attempts this worker still holds (`status = 'running'
 * AND locked_by AND attempt` on the locked, so current, rows: nobody can change them before the
 * update). Then: drop the lease, bump `version`, close each attempt's history row with its outcome,
 * and answer from the changed rows. An attempt missing from the answer was no longer held.
 *
 * Named where the database allows it (see statementFor): each connection parses and plans it once,
 * not on every call (in a drain of no-op jobs, that was about a tenth of the database's CPU per
 * job). A plan made once must suit every batch, and the
 * statistics it was made with may be stale (taken when no job was running): so the rows are found
 * by primary key only, and the guard is checked after, on the locked rows. Written as one join with
 * the guard in it, the planner once chose to scan all running jobs (job_lease_idx) for every batch.
 */
function endAttemptsSql(parts: EndStatement): NamedStatement {
  const columns = [['job_id', 'uuid'], ['worker_id', 'text'], ['attempt', 'int'], ...parts.columns] as const;
  const arrays = columns.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ');
  const attemptError = parts.attemptError ? `, error = ${parts.attemptError}` : '';
  const text = `
WITH given AS (
  SELECT * FROM unnest(${arrays}) AS given(${columns.map(([name]) => name).join(', ')})
), locked AS MATERIALIZED (
  SELECT id, status, locked_by, attempt FROM job WHERE id = ANY($1::uuid[])
  ORDER BY id
  FOR UPDATE
), held AS MATERIALIZED (
  SELECT given.* FROM locked JOIN given ON locked.id = given.job_id
  WHERE locked.status = 'running' AND locked.locked_by = given.worker_id AND locked.attempt = given.attempt
), done AS (
  UPDATE job SET
    ${parts.job},
    locked_by = NULL, locked_until = NULL, version = job.version + 1, updated_at = now()
  FROM held AS given WHERE job.id = given.job_id
  RETURNING job.id, job.kind, job.status, given.*
), history AS (
  UPDATE job_attempt SET finished_at = now(), outcome = ${parts.outcome}${attemptError}
  FROM done AS given WHERE job_attempt.job_id = given.job_id AND job_attempt.attempt = given.attempt
)
SELECT ${parts.answer} FROM done`;
  return { name: `jobkit_${parts.name}`, text };
}

async function endAttempts<Answer extends pg.QueryResultRow>(
  pool: pg.Pool,
  statement: NamedStatement,
  refs: readonly AttemptRef[],
  columns: readonly (readonly unknown[])[],
): Promise<Answer[]> {
  if (refs.length === 0) return [];
  const identity = [refs.map((ref) => ref.jobId), refs.map((ref) => ref.workerId), refs.map((ref) => ref.attempt)];
  return (await pool.query<Answer>(statementFor(pool, statement), [...identity, ...columns])).rows;
}

const completeSql = endAttemptsSql({
  name: 'complete_jobs',
  columns: [['result', 'jsonb'], ['retention_ms', 'float8']],
  job: `status = 'completed', result = given.result, error = NULL, progress = 100,
    finished_at = now(), expires_at = now() + given.retention_ms * interval '1 millisecond'`,
  outcome: `'completed'`,
  answer: 'id',
});

export interface Completion {
  ref: AttemptRef;
  result: unknown;
  retentionMs: number;
}

/** Completes the attempts; returns the ids of the jobs whose attempt was still held (and is now completed). */
export async function completeJobs(pool: pg.Pool, completions: readonly Completion[]): Promise<Set<string>> {
  const rows = await endAttempts<{ id: string }>(pool, completeSql, completions.map((c) => c.ref), [
    completions.map((c) => JSON.stringify(c.result)),
    completions.map((c) => c.retentionMs),
  ]);
  return new Set(rows.map((row) => row.id));
}

export async function completeJob(pool: pg.Pool, ref: AttemptRef, result: unknown, retentionMs: number): Promise<boolean> {
  return (await completeJobs(pool, [{ ref, result, retentionMs }])).has(ref.jobId);
}

// Retry when the error allows it and attempts remain: back to `queued`, runnable after the delay.
// Otherwise the job fails for good and starts its retention period.
const retry = 'given.retryable AND job.attempt < job.max_attempts';
const failSql = endAttemptsSql({
  name: 'fail_jobs',
  columns: [['failure', 'jsonb'], ['retryable', 'bool'], ['retry_delay_ms', 'float8'], ['retention_ms', 'float8'], ['outcome', '"AttemptOutcome"']],
  job: `status = CASE WHEN ${retry} THEN 'queued'::"JobStatus" ELSE 'failed'::"JobStatus" END,
    run_at = CASE WHEN ${retry} THEN now() + given.retry_delay_ms * interval '1 millisecond' ELSE job.run_at END,
    finished_at = CASE WHEN ${retry} THEN NULL ELSE now() END,
    expires_at = CASE WHEN ${retry} THEN NULL ELSE now() + given.retention_ms * interval '1 millisecond' END,
    error = given.failure - 'stack' - 'detail'`,
  outcome: 'given.outcome',
  attemptError: 'given.failure',
  answer: 'id, status',
});

export interface FailOptions {
  retryable: boolean;
  retryDelayMs: number;
  retentionMs: number;
  outcome: 'failed' | 'timed_out';
}

export interface Failure extends FailOptions {
  ref: AttemptRef;
  failure: FailureRecord;
}

/** Fails the attempts; answers each still-held job's new status (`queued` for a retry, `failed`). */
export async function failJobs(pool: pg.Pool, failures: readonly Failure[]): Promise<Map<string, 'queued' | 'failed'>> {
  const rows = await endAttempts<{ id: string; status: 'queued' | 'failed' }>(pool, failSql, failures.map((f) => f.ref), [
    failures.map((f) => JSON.stringify(f.failure)),
    failures.map((f) => f.retryable),
    failures.map((f) => f.retryDelayMs),
    failures.map((f) => f.retentionMs),
    failures.map((f) => f.outcome),
  ]);
  return new Map(rows.map((row) => [row.id, row.status]));
}

/** Returns the job's new status (`queued` for a retry, `failed`), or null if the lease was lost. */
export async function failJob(
  pool: pg.Pool,
  ref: AttemptRef,
  failure: FailureRecord,
  options: FailOptions,
): Promise<'queued' | 'failed' | null> {
  return (await failJobs(pool, [{ ref, failure, ...options }])).get(ref.jobId) ?? null;
}

const cancelRunningSql = endAttemptsSql({
  name: 'cancel_running_jobs',
  columns: [['retention_ms', 'float8']],
  job: `status = 'cancelled', finished_at = now(), expires_at = now() + given.retention_ms * interval '1 millisecond',
    error = '{"code":"CANCELLED","message":"The job was cancelled while it ran."}'::jsonb`,
  outcome: `'cancelled'`,
  answer: 'id',
});

/** Ends running jobs as cancelled once their handlers have stopped (or before they started). */
export async function finishCancelledJobs(
  pool: pg.Pool,
  cancels: readonly { ref: AttemptRef; retentionMs: number }[],
): Promise<Set<string>> {
  const rows = await endAttempts<{ id: string }>(pool, cancelRunningSql, cancels.map((c) => c.ref), [
    cancels.map((c) => c.retentionMs),
  ]);
  return new Set(rows.map((row) => row.id));
}

export async function finishCancelledJob(pool: pg.Pool, ref: AttemptRef, retentionMs: number): Promise<boolean> {
  return (await finishCancelledJobs(pool, [{ ref, retentionMs }])).has(ref.jobId);
}

// A graceful shutdown gives the job back: queued again at once, in its old place (same run_at),
// and the attempt it was on does not count against its budget (max_attempts grows by one; the
// history row says `released`). (PostgreSQL sends one notification per kind: it folds repeats.)
const releaseSql = endAttemptsSql({
  name: 'release_jobs',
  columns: [],
  job: `status = 'queued', max_attempts = job.max_attempts + 1`,
  outcome: `'released'`,
  answer: `id, pg_notify('${jobsChannel}', kind)`,
});

export async function releaseJobs(pool: pg.Pool, refs: readonly AttemptRef[]): Promise<Set<string>> {
  const rows = await endAttempts<{ id: string }>(pool, releaseSql, refs, []);
  return new Set(rows.map((row) => row.id));
}

export async function releaseJob(pool: pg.Pool, ref: AttemptRef): Promise<boolean> {
  return (await releaseJobs(pool, [ref])).has(ref.jobId);
}
