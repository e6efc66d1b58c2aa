/**
 * `pnpm worker` as production runs it: the compiled apps/worker/dist/main.js under plain `node`,
 * every workspace package from its dist/, handler threads included (turbo builds them before this
 * test). A document analysis completing through it shows the built code path works end to end.
 */
import { documentAnalysis } from '@jobkit/jobs';
import { createTestDatabase, createTestUser, startBuiltProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { enqueueJobs } from '@jobkit/queue';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
let db: TestDatabase;
let worker: TestProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  worker = startBuiltProcess('dist/main.js', { cwd: appDir, env: { DATABASE_URL: db.url, WORKER_CONCURRENCY: '1' } });
  await worker.waitFor(/is running/);
});
afterAll(async () => {
  await worker.kill('SIGTERM');
  await db.drop();
});

describe('the built worker', () => {
  it('runs a job on its compiled handler threads', { timeout: 120_000 }, async () => {
    const ownerId = await createTestUser(db);
    const [job] = await enqueueJobs(db.pool, [
      { kind: documentAnalysis.kind, payloadVersion: documentAnalysis.version, input: { text: 'Built code runs here. It reads this text.' }, ownerId, maxAttempts: 1 },
    ]);
    let row = await db.prisma.job.findUniqueOrThrow({ where: { id: job?.id } });
    for (let polls = 0; polls < 1200 && (row.status === 'queued' || row.status === 'running'); polls++) {
      await sleep(50);
      row = await db.prisma.job.findUniqueOrThrow({ where: { id: job?.id } });
    }
    expect(row.error).toBeNull();
    expect(row.status).toBe('completed');
    expect(documentAnalysis.output.parse(row.result)).toMatchObject({ sentenceCount: 2 });
  });
});
