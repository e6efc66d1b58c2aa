import { v7 as uuidv7 } from 'uuid';
import type { Queryable } from '@jobkit/db';
import type { AttemptRef } from './transitions.ts';

/**
 * Tracked jobs are run by another system, which reports through the API. They are created
 * running, held by this pseudo-worker, so that the ordinary guarded transitions (progress,
 * complete, fail, cancel) serve them unchanged and no real worker can ever claim them.
 */
export const externalWorkerId = 'external';

export function externalAttempt(jobId: string): AttemptRef {
  return { jobId, workerId: externalWorkerId, attempt: 1 };
}

// The lease is the reporting deadline: without a report for `leaseMs`, the rescuer fails the job.
const createSql = `
WITH inserted AS (
  INSERT INTO job (id, kind, payload_version, status, input, owner_id, max_attempts, attempt,
                   locked_by, locked_until, started_at, progress_message)
  VALUES ($1, $2, $3, 'running', $4::jsonb, $5, 1, 1, '${externalWorkerId}', now() + $6 * interval '1 millisecond', now(), $7)
  RETURNING id, attempt
), history AS (
  INSERT INTO job_attempt (job_id, attempt, worker_id, started_at)
  SELECT id, attempt, '${externalWorkerId}', now() FROM inserted
)
SELECT id FROM inserted`;

/** `db` may be a client in a transaction (the API counts the owner's jobs under the same lock). */
export async function createTrackedJob(
  db: Queryable,
  job: { kind: string; payloadVersion: number; input: unknown; ownerId: string; leaseMs: number; message: string },
): Promise<string> {
  const id = uuidv7();
  await db.query(createSql, [id, job.kind, job.payloadVersion, JSON.stringify(job.input), job.ownerId, job.leaseMs, job.message]);
  return id;
}
