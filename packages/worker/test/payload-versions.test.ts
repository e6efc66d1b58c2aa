/**
 * Jobs queued as another version of their kind: an older one is upcast before its handler runs, a
 * newer one is left for a newer worker (never claimed here, so never failed or counted), and one
 * that cannot be upcast fails at once with its reason.
 */
import { enqueueJobs } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { jobErrorSchema } from '@jobkit/contract';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../src/index.ts';
import { capturedLog, waitFor } from '../src/testing.ts';

const releases = {
  v1: new URL('./fixtures/versions/rename-v1.ts', import.meta.url),
  v2: new URL('./fixtures/versions/rename-v2.ts', import.meta.url),
};
let db: TestDatabase;
let ownerId: string;
const workers: Worker[] = [];
let log = capturedLog();

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  log = capturedLog();
});
afterAll(() => db.drop());

async function startWorker(handlersModule: URL | string): Promise<void> {
  const worker = createWorker({ database: db, handlersModule, concurrency: 2, logger: log.logger });
  await worker.start();
  workers.push(worker);
}

async function queued(kind: string, payloadVersion: number, input: object): Promise<string> {
  const [job] = await enqueueJobs(db.pool, [{ kind, payloadVersion, input, ownerId, maxAttempts: 3 }]);
  if (!job) throw new Error('nothing enqueued');
  return job.id;
}

function finished(id: string) {
  return waitFor(async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id } });
    return ['completed', 'failed'].includes(row.status) ? row : undefined;
  });
}

describe('a job queued as another version of its kind', () => {
  it('runs an older version upcast, on a handler thread, as today’s input', async () => {
    await startWorker(releases.v2);
    const job = await finished(await queued('rename', 1, { name: 'Ada King Lovelace' }));
    expect(job).toMatchObject({ status: 'completed', attempt: 1, result: { greeting: 'Hello Ada (King Lovelace)', handledBy: 2 } });
  });

  it('leaves a newer version to a newer worker, untouched, and says so once', async () => {
    const newer = [await queued('rename', 2, { first: 'Grace', last: 'Hopper' }), await queued('rename', 2, { first: 'Alan', last: 'Turing' })];
    await startWorker(releases.v1);
    const older = await finished(await queued('rename', 1, { name: 'Edsger' }));
    expect(older).toMatchObject({ status: 'completed', result: { handledBy: 1 } });
    await waitFor(() => Promise.resolve(log.messages().some((line) => line.includes('version 2 are left to a newer worker')) || undefined));
    await sleep(500); // claims and looks go on meanwhile
    const rows = await db.prisma.job.findMany({ where: { id: { in: newer } } });
    expect(rows.map((row) => [row.status, row.attempt, row.maxAttempts])).toEqual([['queued', 0, 3], ['queued', 0, 3]]);
    expect(log.messages().filter((line) => line.includes('left to a newer worker'))).toEqual([
      expect.stringMatching(/queued rename jobs of version 2 are left to a newer worker: this one runs rename up to version 1$/),
    ]);
    await startWorker(releases.v2);
    for (const id of newer) expect(await finished(id)).toMatchObject({ status: 'completed', attempt: 1, result: { handledBy: 2 } });
  });

  it('fails at once, with the upcaster’s reason, one it cannot upcast, and one that does not fit its own version', async () => {
    await startWorker(releases.v2);
    const refused = await finished(await queued('rename', 1, { name: '' }));
    expect(refused).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'NO_FIRST_NAME', message: 'This rename was queued without a name.' } });
    const broken = await finished(await queued('rename', 1, { nom: 'Ada' }));
    expect(broken).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'INVALID_PAYLOAD' } });
    expect(jobErrorSchema.parse(broken.error).message).toMatch(/^The input stored as rename version 1 does not fit that version: /);
  });

});
