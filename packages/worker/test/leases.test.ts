import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../src/index.ts';
import { sleeper } from './fixtures/handlers.ts';
import { capturedLog, enqueue, waitFor } from '../src/testing.ts';

const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 6 });
  ownerId = await createTestUser(db);
});
afterAll(() => db.drop());

describe('lease timing', () => {
  it('refuses a lease too short to stop a handler before it lapses, saying what to change', () => {
    expect(() => createWorker({ database: db, handlersModule: fixtures, leaseMs: 1_000 })).toThrow(
      'The job lease (leaseMs, WORKER_LEASE_MS) is 1000 ms; with abandonAfterMs 500 ms it must be at least 1400 ms',
    );
    expect(() => createWorker({ database: db, handlersModule: fixtures, leaseMs: 1_000, abandonAfterMs: 200 })).not.toThrow();
    expect(() => createWorker({ database: db, handlersModule: fixtures, shutdownGraceMs: -1 })).toThrow('shutdownGraceMs must be a non-negative integer');
  });
});

describe('heartbeats', () => {
  it('sends one at a time on a slow database, and logs the slow one', async () => {
    const log = capturedLog();
    const leaseMs = 3_000;
    const worker = createWorker({ database: db, handlersModule: fixtures, concurrency: 1, leaseMs, logger: log.logger });
    await worker.start();
    try {
      const [id = ''] = await enqueue(db, sleeper, ownerId, [{ ms: 8_000, steps: 1 }]);
      await waitFor(async () => ((await db.prisma.job.findUniqueOrThrow({ where: { id } })).status === 'running' ? true : undefined));
      // The job's row locked by another transaction: each heartbeat waits for it.
      const blocker = await db.pool.connect();
      let mostAtOnce = 0;
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT 1 FROM job WHERE id = $1 FOR UPDATE', [id]);
        const until = Date.now() + 0.6 * leaseMs;
        while (Date.now() < until) {
          const { rows } = await db.pool.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%SET locked_until = now() +%' AND pid <> pg_backend_pid()`,
          );
          mostAtOnce = Math.max(mostAtOnce, rows[0]?.waiting ?? 0);
          await sleep(50);
        }
      } finally {
        await blocker.query('COMMIT');
        blocker.release();
      }
      console.log(`[heartbeat] at most ${mostAtOnce} heartbeat(s) at once while the job's row was locked for ${0.6 * leaseMs} ms`);
      expect(mostAtOnce).toBe(1);
      expect(log.messages().some((line) => line.includes('heartbeat still waiting for the database'))).toBe(true);
    } finally {
      await worker.stop({ graceMs: 0 });
    }
  }, 60_000);
});
