import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@jobkit/db';
import { claimJobs, completeJobs, enqueueJobs, extendLeases } from '../src/index.ts';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';

// Right after a burst of enqueues the planner still holds the statistics of an empty table
// (autovacuum analyses about a minute later). The queue's statements are prepared once per
// connection, so a plan chosen then is kept: these tests put the table in exactly that state and
// read the plans PostgreSQL actually ran (auto_explain), after the sixth execution, when a prepared
// statement may switch to its generic plan.

let db: TestDatabase;
const workerId = 'planner';

beforeAll(async () => {
  db = await createTestDatabase();
  // Many owners, so that claims with a limit per owner still find 10 jobs each.
  const owners = await Promise.all(Array.from({ length: 50 }, () => createTestUser(db)));
  await db.pool.query('ANALYZE job');
  const jobs = Array.from({ length: 5_000 }, (_, n) => ({
    kind: 'noop',
    payloadVersion: 1,
    input: { n },
    ownerId: owners[n % owners.length] ?? '',
    maxAttempts: 3,
  }));
  await enqueueJobs(db.pool, jobs);
});
afterAll(() => db.drop());

/**
 * A one-connection pool whose every statement's plan is reported back as a notice. Its statements
 * are named (DATABASE_PREPARED_STATEMENTS, the embedded database's default), as these plans assume.
 */
function explainedPool() {
  const url = new URL(db.url);
  url.searchParams.set(
    'options',
    '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c client_min_messages=log',
  );
  const pool = openDatabase(url.toString(), { maxConnections: 1, preparedStatements: true }).pool;
  const plans: string[] = [];
  pool.on('connect', (client) => {
    client.on('notice', (notice) => {
      if (notice.message?.includes('Query Text')) plans.push(notice.message);
    });
  });
  return { pool, lastPlanOf: (marker: string) => plans.filter((plan) => plan.includes(marker)).at(-1) ?? '' };
}

describe('plans with the statistics of an empty table', () => {
  it('claims by walking the claim index in order, never by reading and sorting the backlog', async () => {
    const { pool, lastPlanOf } = explainedPool();
    try {
      for (let claim = 0; claim < 7; claim++) {
        const claimed = await claimJobs(pool, { workerId, kinds: ['noop'], limit: 10, leaseMs: 60_000, fairSharePerOwner: 2 });
        expect(claimed).toHaveLength(10);
      }
      const plan = lastPlanOf('WITH busy AS');
      expect(plan).toContain('Index Scan using job_claim_idx');
      expect(plan).not.toMatch(/Bitmap Index Scan on job_claim_idx|Seq Scan/);
      // The owners at their limit of running jobs are found among the running jobs only.
      expect(plan).toMatch(/Scan on job_lease_idx/);
    } finally {
      await pool.end();
    }
  });

  it('ends attempts and extends leases through the primary key, whatever else is running', async () => {
    const running = await claimJobs(db.pool, { workerId, kinds: ['noop'], limit: 1_000, leaseMs: 60_000 });
    const { pool, lastPlanOf } = explainedPool();
    try {
      for (let batch = 0; batch < 7; batch++) {
        const ends = running.slice(batch * 20, batch * 20 + 20);
        const ids = ends.map((job) => job.id);
        expect(await extendLeases(pool, workerId, ids, 60_000)).toHaveLength(20);
        const completed = await completeJobs(pool, ends.map((job) => ({ ref: { jobId: job.id, workerId, attempt: job.attempt }, result: {}, retentionMs: 60_000 })));
        expect(completed.size).toBe(20);
      }
      for (const plan of [lastPlanOf('WITH given AS'), lastPlanOf('WITH locked AS')]) {
        expect(plan).toContain('job_pkey');
        expect(plan).not.toMatch(/Seq Scan on job\b|job_lease_idx|job_status_idx/);
      }
    } finally {
      await pool.end();
    }
  });
});
