/**
 * The worker's LISTEN connection dies, loudly (its backend terminated) or silently (its packets
 * swallowed, the socket left open): the worker notices, says so, reconnects, and a job enqueued
 * afterwards is picked up through a notification again. Polling is set to 10 minutes, so a pickup
 * within the test's wait can only have come from a notification.
 */
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../src/index.ts';
import { echo } from './fixtures/handlers.ts';
import { capturedLog, enqueue, waitFor } from '../src/testing.ts';
import { startSilenceableProxy, type SilenceableProxy } from './silenceable-proxy.ts';

const fixtures = new URL('./fixtures/handlers.ts', import.meta.url);
let db: TestDatabase;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 10 });
  ownerId = await createTestUser(db);
});
afterAll(() => db.drop());

async function startListeningWorker(listenUrl: string, log: CapturedLog): Promise<Worker> {
  const worker = createWorker({
    database: { ...db, listenUrl },
    handlersModule: fixtures,
    concurrency: 1,
    pollIntervalMs: 600_000,
    rescueIntervalMs: 600_000,
    listenProbeIntervalMs: 1_000,
    logger: log.logger,
  });
  await worker.start();
  return worker;
}

async function listenBackends(): Promise<number[]> {
  const { rows } = await db.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = 'jobkit-listen' AND datname = current_database()`,
  );
  return rows.map((row) => row.pid);
}

async function completes(jobId: string | undefined): Promise<void> {
  await waitFor(async () => {
    const job = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    return job.status === 'completed' ? true : undefined;
  }, 20_000);
}

type CapturedLog = ReturnType<typeof capturedLog>;
const logged = (log: CapturedLog, fragment: string) => () =>
  Promise.resolve(log.messages().some((line) => line.includes(fragment)) ? true : undefined);

describe('the LISTEN connection', () => {
  it('comes back after its backend is terminated, and hears new jobs again', async () => {
    const log = capturedLog();
    const worker = await startListeningWorker(db.url, log);
    try {
      const [before] = await listenBackends();
      expect(before).toBeDefined();
      await db.pool.query('SELECT pg_terminate_backend($1)', [before]);
      await waitFor(logged(log, '[listen] listening again'));
      expect(log.messages().some((line) => line.startsWith('[listen] connection lost'))).toBe(true);
      const [after] = await listenBackends();
      expect(after).not.toBe(before);
      const [id] = await enqueue(db, echo, ownerId, [{ n: 1 }]);
      await completes(id);
    } finally {
      await worker.stop();
    }
  });

  describe('whose socket goes silent', () => {
    let proxy: SilenceableProxy;
    beforeAll(async () => {
      proxy = await startSilenceableProxy(Number(new URL(db.url).port));
    });
    afterAll(() => proxy.close());

    it('is found dead by its probe, replaced, and hears new jobs again', async () => {
      const log = capturedLog();
      const viaProxy = new URL(db.url);
      viaProxy.port = String(proxy.port);
      const worker = await startListeningWorker(viaProxy.toString(), log);
      try {
        const [id] = await enqueue(db, echo, ownerId, [{ n: 2 }]);
        await completes(id);
        proxy.silence();
        await waitFor(logged(log, 'probe did not answer'));
        await waitFor(logged(log, '[listen] listening again'));
        const [next] = await enqueue(db, echo, ownerId, [{ n: 3 }]);
        await completes(next);
      } finally {
        await worker.stop();
      }
    });

    it('gives up a reconnect that the network swallows too, and tries again until one answers', async () => {
      const log = capturedLog();
      const viaProxy = new URL(db.url);
      viaProxy.port = String(proxy.port);
      const worker = await startListeningWorker(viaProxy.toString(), log);
      try {
        proxy.silence({ newConnections: true });
        await waitFor(logged(log, 'probe did not answer'));
        await waitFor(logged(log, '[listen] reconnect failed'));
        proxy.heal();
        await waitFor(logged(log, '[listen] listening again'));
        const [id] = await enqueue(db, echo, ownerId, [{ n: 4 }]);
        await completes(id);
      } finally {
        await worker.stop();
      }
    });
  });
});
