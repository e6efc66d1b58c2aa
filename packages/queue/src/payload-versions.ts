import type pg from 'pg';
import { statementFor } from '@jobkit/db';

/**
 * Which kinds and payload versions wait at the head of the queue that a worker leaves alone because
 * they are newer than it reads (the claim skips them: see claim.ts). Read only, for the worker's
 * log during a rolling deploy. It looks at the first `headSize` queued jobs of the worker's kinds in
 * claim order (job_claim_idx), where a skipped job would otherwise be next: a bounded read whatever
 * the backlog.
 */
const newerQueuedVersionsSql = {
  name: 'jobkit_newer_queued_versions',
  text: `
SELECT DISTINCT kind, payload_version FROM (
  SELECT kind, payload_version FROM job
  WHERE status = 'queued' AND array_position($1::text[], kind) IS NOT NULL
  ORDER BY priority DESC, run_at, id
  LIMIT $3
) AS head
WHERE payload_version > ($2::int[])[array_position($1::text[], kind)]
ORDER BY kind, payload_version`,
};

export interface QueuedPayloadVersion {
  kind: string;
  payloadVersion: number;
}

export async function findNewerQueuedVersions(
  pool: pg.Pool,
  newestReadable: Readonly<Record<string, number>>,
  headSize = 1000,
): Promise<QueuedPayloadVersion[]> {
  const kinds = Object.keys(newestReadable);
  if (kinds.length === 0) return [];
  const { rows } = await pool.query<{ kind: string; payload_version: number }>(statementFor(pool, newerQueuedVersionsSql), [
    kinds,
    kinds.map((kind) => newestReadable[kind]),
    headSize,
  ]);
  return rows.map((row) => ({ kind: row.kind, payloadVersion: row.payload_version }));
}
