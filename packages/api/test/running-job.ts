import type { Database } from '@jobkit/db';
import { claimJobs, type AttemptRef } from '@jobkit/queue';
import { expect } from 'vitest';
import type { createCaller } from '../src/index.ts';

/**
 * A document analysis of `owner`'s, claimed as a worker would. Whatever else is queued is cancelled
 * first, so that the claim takes this job.
 */
export async function runningJob(db: Database, owner: ReturnType<typeof createCaller>): Promise<AttemptRef> {
  await db.pool.query("UPDATE job SET status = 'cancelled', finished_at = now() WHERE status = 'queued'");
  const { jobId } = await owner.analysis.startDocumentAnalysis({ input: { text: 'Some text to follow.' } });
  const [claimed] = await claimJobs(db.pool, { workerId: 'w', kinds: ['documentAnalysis'], limit: 1, leaseMs: 60_000 });
  expect(claimed?.id).toBe(jobId);
  return { jobId, workerId: 'w', attempt: 1 };
}
