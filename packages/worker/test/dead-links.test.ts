/**
 * The worker's connections to the database die without a word (their packets swallowed, the sockets
 * left open, as when a NAT or firewall forgets the flows) just before a job ends. Without a
 * statement deadline the end write waits for ever and the job fails once its lease lapses; with it,
 * the write fails after the deadline, its connection is dropped, and the write tried again on a new
 * connection records the result in the job's first and only attempt.
 */
import { openDatabase } from '@jobkit/db';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorker } from '../src/index.ts';
import { sleeper } from './fixtures/handlers.ts';
import { enqueue, waitFor } from '../src/testing.ts';
import { startSilenceableProxy } from './silenceable-proxy.ts';

const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
});
afterAll(() => db.drop());

const statusOf = async (jobId: string | undefined) => (await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status;

it('records the end of a job whose connections went silent, in its first attempt', { timeout: 60_000 }, async () => {
  const proxy = await startSilenceableProxy(Number(new URL(db.url).port));
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  // One connection, so the end write meets a silent one (with spare connections a fresh one could
  // carry it by luck). Without the deadline this job stays running until its lease lapses.
  const database = openDatabase(viaProxy.toString(), { maxConnections: 1, queryTimeoutMs: 1_000 });
  const worker = createWorker({ database, handlersModule: fixtures, concurrency: 1, leaseMs: 8_000, rescueIntervalMs: 500 });
  await worker.start();
  try {
    const [jobId] = await enqueue(db, sleeper, ownerId, [{ ms: 1_500, steps: 1 }]);
    await waitFor(async () => ((await statusOf(jobId)) === 'running' ? true : undefined));
    // Every connection open now goes silent; new ones pass.
    proxy.silence();
    const status = await waitFor(async () => {
      const current = await statusOf(jobId);
      return current === 'running' ? undefined : current;
    }, 30_000);
    const attempts = await db.prisma.jobAttempt.findMany({ where: { jobId }, select: { attempt: true, outcome: true } });
    expect({ status, attempts }).toEqual({ status: 'completed', attempts: [{ attempt: 1, outcome: 'completed' }] });
  } finally {
    await proxy.close();
    await worker.stop({ graceMs: 0 });
    await database.close();
  }
});
