import type pg from 'pg';
import { queryWithGenericPlan } from '@jobkit/db';
import { externalWorkerId } from './tracked.ts';

/**
 * The one statement that hands jobs to a worker. Everything about "who runs what" is decided here:
 *
 * - `FOR UPDATE SKIP LOCKED`: concurrent claimers (any process, any machine) skip rows another
 *   claimer holds instead of waiting for them, so no two workers ever get the same job.
 * - Order: priority first (higher wins), then the time the job became runnable, then id (UUIDv7,
 *   creation order) so that ties are broken the same way everywhere. Served by `job_claim_idx`.
 *   The jobs are answered in that order too: a worker may start them one by one.
 * - Only kinds this worker has handlers for, so workers may specialise. Written as
 *   `array_position(...) IS NOT NULL`, not `kind = ANY(...)`, on purpose: no index can serve it, so
 *   the planner cannot combine job_kind_idx and job_status_idx into a bitmap scan that reads and
 *   sorts every queued job. It did, with the statistics of an empty table right after a burst of
 *   enqueues (autovacuum analyses a minute later): 8-15 ms per claim at 20,000 queued instead of
 *   0.1 ms, halving a drain. Now the plan is the ordered scan of job_claim_idx that stops at LIMIT.
 * - Only payload versions the worker reads ($6: the newest of each kind, in $2's order; none: all):
 *   in a rolling deploy an old worker leaves a job the new API queued to a new worker, unclaimed,
 *   so it is neither failed nor its attempt counted (see findNewerQueuedVersions for its log line).
 *   Checked inside the kind's `CASE ... IS NOT NULL`, for the same reason: as a comparison of its
 *   own, estimated to keep a third of the rows, it tipped the planner back to that bitmap scan.
 * - Fair to owners ($5, the fair share; 0 for none): an owner with $5 jobs running already
 *   (`busy`; tracked jobs aside, no worker runs them) has its jobs skipped by this statement, so
 *   another owner's job goes first however many the busy owner has queued. The busy owners are
 *   counted once per claim, from the running jobs only, and the scan's check is a comparison with
 *   their list: a check per row that queried (the owner's running jobs for every queued job) made
 *   the planner, with the statistics of an empty table, read and sort the whole backlog instead.
 *   An owner below its share may still have more jobs among the locked ones than its share (`fair`
 *   ranks them): the rest stay queued, and their locks go with the statement's transaction.
 *   `claimJobs` then claims what is left of the request without the share (work-conserving: a
 *   lone user still gets every slot; see there).
 * - The claim, the lease, the attempt count and the attempt's history row are written in the same
 *   statement: a job is never running without an owner, a lease and a `job_attempt` row.
 */
const claimJobsSql = {
  // Named where allowed: each connection parses and plans it once (see transitions.ts). Always
  // with its generic plan, which the planner's choices above are written for (queryWithGenericPlan).
  name: 'jobkit_claim_jobs',
  text: `
WITH busy AS MATERIALIZED (
  SELECT owner_id, count(*) AS running FROM job
  WHERE $5::int > 0 AND status = 'running' AND locked_by <> '${externalWorkerId}'
  GROUP BY owner_id
), next AS (
  SELECT id, owner_id, priority, run_at FROM job
  WHERE status = 'queued' AND run_at <= now()
    AND (CASE WHEN payload_version <= coalesce(($6::int[])[array_position($2::text[], kind)], payload_version)
         THEN array_position($2::text[], kind) END) IS NOT NULL
    AND owner_id <> ALL (ARRAY(SELECT owner_id FROM busy WHERE running >= $5::int))
  ORDER BY priority DESC, run_at, id
  LIMIT $3
  FOR UPDATE SKIP LOCKED
), fair AS (
  SELECT id FROM (
    SELECT next.id, coalesce(busy.running, 0)
      + row_number() OVER (PARTITION BY next.owner_id ORDER BY next.priority DESC, next.run_at, next.id) AS share
    FROM next LEFT JOIN busy ON busy.owner_id = next.owner_id
  ) AS ranked
  WHERE $5::int = 0 OR share <= $5::int
), claimed AS (
  UPDATE job SET
    status = 'running',
    attempt = job.attempt + 1,
    locked_by = $1,
    locked_until = now() + $4 * interval '1 millisecond',
    started_at = now(),
    progress = 0,
    progress_message = NULL,
    progress_data = NULL,
    version = job.version + 1,
    updated_at = now()
  FROM fair
  WHERE job.id = fair.id
  RETURNING job.id, job.kind, job.payload_version, job.input, job.attempt, job.max_attempts, job.priority, job.run_at, job.trace_context
), history AS (
  INSERT INTO job_attempt (job_id, attempt, worker_id, started_at)
  SELECT id, attempt, $1, now() FROM claimed
)
SELECT id, kind, payload_version, input, attempt, max_attempts, priority, trace_context,
  (extract(epoch FROM now() - run_at) * 1000)::float8 AS waited_ms
FROM claimed
ORDER BY priority DESC, run_at, id`,
};

export interface ClaimedJob {
  id: string;
  kind: string;
  payloadVersion: number;
  /** As stored: the worker parses it again with the kind's schema before use. */
  input: unknown;
  attempt: number;
  maxAttempts: number;
  priority: number;
  /**
   * How long it waited in the queue, by the database's clock: from when it became runnable (its
   * `run_at`: enqueued, delayed until, retried at) to this claim. A rescued job keeps its `run_at`.
   */
  waitedMs: number;
  /**
   * As stored: the enqueuing span's propagation headers (W3C `traceparent`), or null when tracing
   * was off there. The worker checks its shape before use.
   */
  traceContext: unknown;
}

interface ClaimedRow {
  id: string;
  kind: string;
  payload_version: number;
  input: unknown;
  attempt: number;
  max_attempts: number;
  priority: number;
  waited_ms: number;
  trace_context: unknown;
}

async function claimOnce(
  pool: pg.Pool,
  request: { workerId: string; kinds: readonly string[]; leaseMs: number; newestPayloadVersions?: Readonly<Record<string, number>> | undefined },
  limit: number,
  fairShare: number,
): Promise<ClaimedJob[]> {
  const { rows } = await queryWithGenericPlan<ClaimedRow>(pool, claimJobsSql, [
    request.workerId,
    request.kinds,
    limit,
    request.leaseMs,
    fairShare,
    request.kinds.map((kind) => request.newestPayloadVersions?.[kind] ?? null),
  ]);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    payloadVersion: row.payload_version,
    input: row.input,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    priority: row.priority,
    waitedMs: row.waited_ms,
    traceContext: row.trace_context,
  }));
}

/**
 * Claims up to `limit` jobs. With a fair share, owners below it go first (one statement), and what
 * they leave of the request goes to everyone by priority and age (a second statement): the share
 * decides who is served first, never whether a free slot is used. So a user who is alone uses every
 * slot, and a user who arrives while another's jobs fill them takes the next slot that comes free,
 * ahead of the other's backlog. (A share that left slots idle while one user had work made a
 * single-user deployment run one job at a time across all its workers.)
 */
export async function claimJobs(
  pool: pg.Pool,
  request: {
    workerId: string;
    kinds: readonly string[];
    limit: number;
    leaseMs: number;
    /** Owners with fewer jobs running than this go first; 0 or absent: strict priority order. */
    fairSharePerOwner?: number;
    /** The newest payload version of each kind the worker reads: newer jobs are left to newer workers. */
    newestPayloadVersions?: Readonly<Record<string, number>>;
  },
): Promise<ClaimedJob[]> {
  if (request.limit <= 0 || request.kinds.length === 0) return [];
  const fairShare = request.fairSharePerOwner ?? 0;
  const first = await claimOnce(pool, request, request.limit, fairShare);
  if (fairShare === 0 || first.length >= request.limit) return first;
  return [...first, ...(await claimOnce(pool, request, request.limit - first.length, 0))];
}
