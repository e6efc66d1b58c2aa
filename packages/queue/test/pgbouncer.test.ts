/**
 * The queue's statements through PgBouncer 1.18 in transaction mode (Debian's packages), where a
 * named prepared statement made in one transaction is unknown, or already taken, in the next: each
 * transaction may run on another server connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDatabase } from '@jobkit/db';
import { inTransaction, openDatabase, type Database } from '@jobkit/db';
import { applyMigrations, readMigrations } from '@jobkit/db';
import { claimJobs, completeJobs, enqueueJobs, extendLeases, recordProgress, type NewJob } from '../src/index.ts';
import { startDebianPostgres, startPgBouncer, type DebianPostgres, type PgBouncer } from '@jobkit/db/testing/debian-postgres';
import { createTestUser } from '@jobkit/db/testing';

let server: DebianPostgres;
let bouncer: PgBouncer;
let pooled: Database;
let ownerId: string;

function job(n: number): NewJob {
  return { kind: 'noop', payloadVersion: 1, input: { n }, ownerId, maxAttempts: 3 };
}

beforeAll(async () => {
  server = await startDebianPostgres();
  await applyMigrations(server.urlFor('postgres'));
  bouncer = await startPgBouncer(server, 'transaction');
  pooled = openDatabase(bouncer.urlFor('postgres'), { maxConnections: 20 });
  ownerId = await createTestUser(pooled);
}, 300_000);

afterAll(async () => {
  await pooled.close();
  await bouncer.stop();
  await server.stop();
});

describe('through PgBouncer in transaction mode', () => {
  it('enqueues, claims, heartbeats, reports progress and completes from many connections at once', async () => {
    const workers = Array.from({ length: 20 }, (_, n) => `worker-${n}`);
    await Promise.all(workers.map((_, n) => enqueueJobs(pooled.pool, [job(n)])));
    // In transactions too: the API inserts on one client of the pool under a lock.
    await Promise.all(workers.map((_, n) => inTransaction(pooled.pool, (client) => enqueueJobs(client, [job(100 + n)]))));
    const claimed = await Promise.all(workers.map((workerId) => claimJobs(pooled.pool, { workerId, kinds: ['noop'], limit: 2, leaseMs: 30_000 })));
    const refs = claimed.flatMap((batch, n) => batch.map((claimedJob) => ({ jobId: claimedJob.id, workerId: workers[n] ?? '', attempt: claimedJob.attempt })));
    expect(refs).toHaveLength(40);
    await Promise.all(refs.map((ref) => recordProgress(pooled.pool, ref, { percent: 50 })));
    await Promise.all(workers.map((workerId) => extendLeases(pooled.pool, workerId, refs.filter((ref) => ref.workerId === workerId).map((ref) => ref.jobId), 30_000)));
    const completed = await Promise.all(refs.map((ref) => completeJobs(pooled.pool, [{ ref, result: { ok: true }, retentionMs: 60_000 }])));
    expect(completed.filter((ids) => ids.size === 1)).toHaveLength(40);
  });
});

describe('migrations through PgBouncer in transaction mode', () => {
  it('apply each migration once when processes migrate at once, and leave no lock behind', async () => {
    await pooled.pool.query('CREATE DATABASE jobkit_migrating');
    const url = bouncer.urlFor('jobkit_migrating');
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => applyMigrations(url)));
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const migrating = openDatabase(server.urlFor('jobkit_migrating'), { maxConnections: 1 });
    try {
      const { rows } = await migrating.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL');
      expect(rows[0]?.n).toBe((await readMigrations()).length);
      const locks = await migrating.pool.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory'");
      expect(locks.rows).toEqual([]);
    } finally {
      await migrating.close();
    }
  });
});

describe('named statements', () => {
  async function preparedNames(database: Database): Promise<string[]> {
    return inTransaction(database.pool, async (client) => {
      await enqueueJobs(client, [job(1)]);
      const { rows } = await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
      return rows.map((row) => row.name);
    });
  }

  it('are sent only when the database is opened with preparedStatements', async () => {
    const direct = openDatabase(server.urlFor('postgres'), { maxConnections: 1 });
    const named = openDatabase(server.urlFor('postgres'), { maxConnections: 1, preparedStatements: true });
    try {
      expect(await preparedNames(direct)).toEqual([]);
      expect(await preparedNames(named)).toContain('jobkit_insert_jobs');
    } finally {
      await direct.close();
      await named.close();
    }
  });

  it('are off for a DATABASE_URL unless DATABASE_PREPARED_STATEMENTS turns them on', async () => {
    const plain = await bootDatabase({ databaseUrl: server.urlFor('postgres'), embedded: 'attach', maxConnections: 1 });
    const named = await bootDatabase({ databaseUrl: server.urlFor('postgres'), embedded: 'attach', maxConnections: 1, connection: { preparedStatements: true } });
    try {
      expect(await preparedNames(plain.database)).toEqual([]);
      expect(await preparedNames(named.database)).toContain('jobkit_insert_jobs');
    } finally {
      await plain.shutdown();
      await named.shutdown();
    }
  });
});
