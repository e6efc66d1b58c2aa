/**
 * Unnamed statements (the default for DATABASE_URL, what a transaction-mode pooler needs) are
 * planned on every call. Planned with their values and the statistics of an empty table (right
 * after a burst of enqueues, before autovacuum analyses), a claim read and sorted the whole backlog;
 * it must keep the plan the named statement gets, walking job_claim_idx in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool } from '@jobkit/db';
import { claimJobs, enqueueJobs } from '../src/index.ts';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const ownerId = await createTestUser(db);
  await db.pool.query('ANALYZE job');
  await enqueueJobs(db.pool, Array.from({ length: 5_000 }, (_, n) => ({ kind: 'noop', payloadVersion: 1, input: { n }, ownerId, maxAttempts: 3 })));
});
afterAll(() => db.drop());

describe('an unnamed claim with the statistics of an empty table', () => {
  it('walks the claim index in order instead of reading and sorting the backlog', async () => {
    const url = new URL(db.url);
    url.searchParams.set(
      'options',
      '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c client_min_messages=log',
    );
    const pool = openPool(url.toString(), 1);
    const plans: string[] = [];
    pool.on('connect', (client) => {
      client.on('notice', (notice) => {
        if (notice.message?.includes('WITH busy AS')) plans.push(notice.message);
      });
    });
    try {
      for (let claim = 0; claim < 3; claim++) {
        expect(await claimJobs(pool, { workerId: 'planner', kinds: ['noop'], limit: 10, leaseMs: 60_000 })).toHaveLength(10);
      }
      expect(plans).toHaveLength(3);
      for (const plan of plans) {
        expect(plan).toContain('Index Scan using job_claim_idx');
        expect(plan).not.toMatch(/Bitmap Index Scan on job_claim_idx|Seq Scan/);
      }
    } finally {
      await pool.end();
    }
  });
});
