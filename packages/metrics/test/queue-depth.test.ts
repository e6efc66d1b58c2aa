import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { claimJobs, enqueueJobs, type NewJob } from '@jobkit/queue';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDepthMetrics } from '../src/index.ts';
import { queueDepthSql } from '../src/queue-depth.ts';
import { parseMetrics, sampleOf } from '../src/testing.ts';

let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
});
afterAll(() => db.drop());

const job = (kind: string): NewJob => ({ kind, payloadVersion: 1, input: {}, ownerId, maxAttempts: 1 });

function depthRegistry(refreshMs: number) {
  const registry = new Registry();
  queueDepthMetrics(registry, db.pool, { refreshMs });
  return async (kind: string, status: string) => sampleOf(parseMetrics(await registry.metrics()), 'jobkit_queue_jobs', { kind, status });
}

describe('the queue depth gauge', () => {
  it('counts queued and running jobs by kind, and shows 0 for a kind that had some', async () => {
    const depth = depthRegistry(0);
    await enqueueJobs(db.pool, [job('alpha'), job('alpha'), job('alpha'), job('beta')]);
    await claimJobs(db.pool, { workerId: 'w', kinds: ['beta'], limit: 1, leaseMs: 60_000 });
    expect([await depth('alpha', 'queued'), await depth('alpha', 'running'), await depth('beta', 'running')]).toEqual([3, 0, 1]);
    await db.pool.query(`DELETE FROM job WHERE kind = 'beta'`);
    expect(await depth('beta', 'running')).toBe(0);
  });

  it('counts at most once per interval, however often it is scraped', async () => {
    const depth = depthRegistry(600_000);
    const first = await depth('alpha', 'queued');
    await enqueueJobs(db.pool, [job('alpha')]);
    // A count on any of these scrapes would have seen the new job: they all read the first count.
    for (let scrape = 0; scrape < 20; scrape++) expect(await depth('alpha', 'queued')).toBe(first);
    expect(await depthRegistry(0)('alpha', 'queued')).toBe(first + 1);
  });

  it('reads the index entries of queued and running jobs only, never the finished ones', async () => {
    // A table mostly of finished jobs, as in production, and its statistics.
    await db.pool.query(
      `INSERT INTO job (id, kind, payload_version, input, owner_id, status, max_attempts, finished_at)
       SELECT gen_random_uuid(), 'alpha', 1, '{}', $1, 'completed', 1, now() FROM generate_series(1, 20000)`,
      [ownerId],
    );
    await db.pool.query('ANALYZE job');
    const { rows } = await db.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${queueDepthSql}`);
    const plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
    const scans = [...plan.matchAll(/"Node Type":"([^"]*Scan)"[^{}]*?"Index Name":"([^"]+)"/g)].map(([, node, index]) => `${node} ${index}`);
    const allScans = [...plan.matchAll(/"Node Type":"([^"]*Scan)"/g)].length;
    console.log(`[queue depth] scans on 20,000 finished jobs: ${scans.join(', ')}`);
    // Each half through an index that holds (or begins with) its status: the claim and lease
    // indexes hold queued and running jobs only; the admin viewer's status index starts with it.
    expect(scans).toHaveLength(allScans);
    expect(scans).toEqual([
      expect.stringMatching(/Index Scan (job_claim_idx|job_status_idx)$/),
      expect.stringMatching(/Index Scan (job_lease_idx|job_status_idx)$/),
    ]);
  });
});
