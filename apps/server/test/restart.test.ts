import { createApiToken } from '@jobkit/api';
import { enqueueJobs } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { documentAnalysis } from '@jobkit/jobs';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestProcess } from '@jobkit/db/testing';
import { startApp } from './processes.ts';

let db: TestDatabase;
const running: TestProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(running.map((app) => app.kill()));
  await db.drop();
});

function start(app: 'server' | 'worker', env: Record<string, string> = {}): TestProcess {
  const process = startApp(app, { DATABASE_URL: db.url, PORT: '0', ...env });
  running.push(process);
  return process;
}

async function startJob(baseUrl: string, text: string): Promise<string> {
  const { token } = await createApiToken(db, await createTestUser(db), 'restart test');
  const response = await fetch(`${baseUrl}/trpc/analysis.startDocumentAnalysis`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ input: { text } }),
  });
  const body = z.object({ result: z.object({ data: z.object({ jobId: z.uuid() }) }) }).parse(await response.json());
  return body.result.data.jobId;
}

describe('durability across processes', () => {
  it('completes a job queued before the server was killed, after it restarts', async () => {
    const first = start('server', { RUN_WORKER: 'false' });
    const [, url] = await first.waitFor(/running at (http:\/\/\S+)/);
    const jobId = await startJob(url ?? '', 'Started before the crash. Finished after it.');
    await first.kill('SIGKILL');
    expect((await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe('queued');

    const second = start('server');
    await second.waitFor(/running at/);
    const deadline = Date.now() + 20_000;
    let status = 'queued';
    while (status !== 'completed' && Date.now() < deadline) {
      status = (await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe('completed');
    await second.kill('SIGTERM');
    expect(second.child.exitCode).toBe(0);
  }, 120_000);

  it('lets the server and two `pnpm worker` processes share 1,000 jobs, each run exactly once', async () => {
    const server = start('server', { WORKER_CONCURRENCY: '2' });
    const workers = [start('worker', { WORKER_CONCURRENCY: '2' }), start('worker', { WORKER_CONCURRENCY: '2' })];
    await server.waitFor(/running at/);
    await Promise.all(workers.map((worker) => worker.waitFor(/Worker \S+ is running/)));
    const ownerId = await createTestUser(db);
    const jobs = Array.from({ length: 1000 }, (_, n) => ({
      kind: documentAnalysis.kind,
      payloadVersion: documentAnalysis.version,
      input: { text: `Document number ${n}. It has two sentences.`, summarySentences: 1 },
      ownerId,
      maxAttempts: 1,
    }));
    const enqueued = await enqueueJobs(db.pool, jobs);
    const ids = enqueued.map((job) => job.id);
    const deadline = Date.now() + 90_000;
    let completed = 0;
    while (completed < ids.length && Date.now() < deadline) {
      completed = await db.prisma.job.count({ where: { id: { in: ids }, status: 'completed' } });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(completed).toBe(1000);
    const attempts = await db.prisma.jobAttempt.groupBy({ by: ['workerId'], where: { jobId: { in: ids } }, _count: { _all: true } });
    expect(attempts.reduce((sum, row) => sum + row._count._all, 0)).toBe(1000);
    // More than one process took part; how the jobs split between them depends on timing.
    expect(attempts.length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
