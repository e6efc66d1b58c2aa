import { claimJobs } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { batchedAttemptEnds } from '../src/attempt-ends.ts';
import { isStatementAtFault } from '../src/durable-write.ts';
import { chunk } from './fixtures/handlers.ts';
import { enqueue } from '../src/testing.ts';

let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 4 });
  ownerId = await createTestUser(db);
});
afterAll(() => db.drop());

it('a batch of ends the database refuses for one item is written item by item: only that one fails', async () => {
  const workerId = 'attempt-ends-test';
  await enqueue(db, chunk, ownerId, [0, 1, 2].map((n) => ({ n, ms: 0 })));
  const claimed = await claimJobs(db.pool, { workerId, kinds: [chunk.kind], limit: 3, leaseMs: 60_000 });
  const ends = batchedAttemptEnds(db.pool);
  // Added in one tick: they share a batch. jsonb cannot hold the NUL character (SQLSTATE 22P05).
  const written = claimed.map((job, index) =>
    ends.complete({ ref: { jobId: job.id, workerId, attempt: job.attempt }, result: index === 1 ? { text: '\u0000' } : { n: index }, retentionMs: 60_000 }),
  );
  const outcomes = await Promise.allSettled(written);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  const refused = outcomes[1];
  expect(refused?.status === 'rejected' && isStatementAtFault(refused.reason)).toBe(true);
  const statuses = await db.prisma.job.findMany({ where: { id: { in: claimed.map((job) => job.id) } }, select: { id: true, status: true } });
  const byId = new Map(statuses.map((row) => [row.id, row.status]));
  expect(claimed.map((job) => byId.get(job.id))).toEqual(['completed', 'running', 'completed']);
});
