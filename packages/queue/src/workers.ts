import type pg from 'pg';

/** What a worker process says of itself when it starts (see the `worker_process` table). */
export interface WorkerIdentity {
  id: string;
  host: string;
  pid: number;
  version: string;
  kinds: readonly string[];
  concurrency: number;
}

export interface WorkerProcessRow extends WorkerIdentity {
  startedAt: Date;
  lastSeenAt: Date;
  runningJobs: number;
}

/**
 * How long a worker may stay silent before it is taken for gone: several missed reports, so a
 * busy event loop or a database blip does not make a live worker vanish from the list.
 */
export const workerLapsedAfterMs = 30_000;

/** Records the worker, or refreshes it if its row is still there (a restart of its registry). */
export async function registerWorker(pool: pg.Pool, worker: WorkerIdentity): Promise<void> {
  await pool.query(
    `INSERT INTO worker_process (id, host, pid, version, kinds, concurrency)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET last_seen_at = now()`,
    [worker.id, worker.host, worker.pid, worker.version, worker.kinds, worker.concurrency],
  );
}

/**
 * One statement per report: this worker is alive with `runningJobs` jobs, and workers silent past
 * `workerLapsedAfterMs` are removed (the table holds one small row per process, so any worker can
 * sweep it). False when this worker's own row was swept (it was silent too long): register again.
 */
export async function reportWorker(pool: pg.Pool, workerId: string, runningJobs: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `WITH swept AS (
       DELETE FROM worker_process WHERE id <> $1 AND last_seen_at < now() - $3 * interval '1 millisecond')
     UPDATE worker_process SET last_seen_at = now(), running_jobs = $2 WHERE id = $1`,
    [workerId, runningJobs, workerLapsedAfterMs],
  );
  return rowCount === 1;
}

export async function removeWorker(pool: pg.Pool, workerId: string): Promise<void> {
  await pool.query('DELETE FROM worker_process WHERE id = $1', [workerId]);
}

/** The workers online: those heard from within `workerLapsedAfterMs`, oldest first. */
export async function listWorkers(pool: pg.Pool): Promise<WorkerProcessRow[]> {
  const { rows } = await pool.query<WorkerProcessRow>(
    `SELECT id, host, pid, version, kinds, concurrency, started_at AS "startedAt", last_seen_at AS "lastSeenAt", running_jobs AS "runningJobs"
     FROM worker_process WHERE last_seen_at >= now() - $1 * interval '1 millisecond' ORDER BY started_at, id`,
    [workerLapsedAfterMs],
  );
  return rows;
}
