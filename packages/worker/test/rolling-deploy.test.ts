/**
 * A rolling deploy that changes a kind's input (version 1 → 2): 500 version-1 jobs are queued,
 * then a worker process of the old release (rename-v1.ts) and one of the new (rename-v2.ts) run
 * side by side while the new API queues version-2 jobs. The old worker may take version-1 jobs, the
 * new one takes both (upcasting version 1); no version-2 job reaches the old handler, none fails.
 * Figures: ROLLING_V1_JOBS, ROLLING_V2_JOBS (500, 200); the handlers take 40 ms each, 4 at a time.
 */
import { enqueueJobs, type NewJob } from '@jobkit/queue';
import { createTestDatabase, createTestUser, startTypeScriptProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { waitFor } from '../src/testing.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const queuedBefore = Number(process.env.ROLLING_V1_JOBS ?? 500);
const queuedDuring = Number(process.env.ROLLING_V2_JOBS ?? 200);
const resultSchema = z.object({ greeting: z.string(), handledBy: z.int() });
let db: TestDatabase;
let ownerId: string;
const processes: TestProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 10 });
  ownerId = await createTestUser(db);
});
afterAll(async () => {
  await Promise.all(processes.map((child) => child.kill('SIGTERM')));
  await db.drop();
});

async function release(handlers: 'rename-v1.ts' | 'rename-v2.ts'): Promise<{ child: TestProcess; id: string }> {
  const child = startTypeScriptProcess('test/fixtures/worker-process.ts', {
    cwd: packageDir,
    env: { DATABASE_URL: db.url, HANDLERS: `versions/${handlers}`, CONCURRENCY: '4' },
  });
  processes.push(child);
  const [, id = ''] = await child.waitFor(/^ready (\S+)$/m);
  return { child, id };
}

function jobs(payloadVersion: 1 | 2, count: number): NewJob[] {
  return Array.from({ length: count }, (_, n) => ({
    kind: 'rename',
    payloadVersion,
    input: payloadVersion === 1 ? { name: `Ada Lovelace ${n}` } : { first: 'Grace', last: `Hopper ${n}` },
    ownerId,
    maxAttempts: 3,
  }));
}

describe('a rolling deploy that changes a kind’s input', () => {
  it('completes every job of both versions, each on a worker that reads its version, none failed', async () => {
    const startedAt = performance.now();
    await enqueueJobs(db.pool, jobs(1, queuedBefore));
    // The new API is up first: some version-2 jobs wait before the new worker is.
    await enqueueJobs(db.pool, jobs(2, queuedDuring / 2));
    // The new release's first worker starts while an old one still runs (it starts after, so that
    // both surely take part: the new one would otherwise find the old one's leftovers only).
    const current = await release('rename-v2.ts');
    const old = await release('rename-v1.ts');
    await enqueueJobs(db.pool, jobs(2, queuedDuring / 2));
    const total = queuedBefore + queuedDuring;
    await waitFor(async () => ((await db.prisma.job.count({ where: { status: { in: ['completed', 'failed'] } } })) === total ? true : undefined), 240_000);
    const drainedMs = performance.now() - startedAt;

    const rows = await db.prisma.job.findMany({ select: { payloadVersion: true, status: true, attempt: true, result: true, lockedBy: true, attempts: { select: { workerId: true, outcome: true } } } });
    const handled = rows.map((row) => ({
      version: row.payloadVersion,
      status: row.status,
      handledBy: resultSchema.safeParse(row.result).data?.handledBy ?? null,
      workers: row.attempts.map((attempt) => attempt.workerId),
      outcomes: row.attempts.map((attempt) => attempt.outcome),
    }));
    const count = (test: (job: (typeof handled)[number]) => boolean) => handled.filter(test).length;
    const figures = {
      jobs: total,
      completed: count((job) => job.status === 'completed'),
      failed: count((job) => job.status === 'failed'),
      v1ByOldWorker: count((job) => job.version === 1 && job.handledBy === 1),
      v1ByNewWorker: count((job) => job.version === 1 && job.handledBy === 2),
      v2ByNewWorker: count((job) => job.version === 2 && job.handledBy === 2),
      v2ByOldWorker: count((job) => job.version === 2 && job.handledBy === 1),
      attemptsOtherThanOne: count((job) => job.outcomes.length !== 1),
      drainedMs: Math.round(drainedMs),
    };
    console.log(`[rolling-deploy] ${JSON.stringify(figures)}`);

    expect(figures).toMatchObject({ completed: total, failed: 0, v2ByOldWorker: 0, attemptsOtherThanOne: 0 });
    expect(figures.v2ByNewWorker).toBe(queuedDuring);
    // Each job ran once, on the worker whose handler answered it.
    const wrongWorker = handled.filter((job) => job.workers[0] !== (job.handledBy === 1 ? old.id : current.id));
    expect(wrongWorker).toEqual([]);
    const told = old.child.output().match(/queued rename jobs of version 2 are left to a newer worker/g) ?? [];
    expect(told).toHaveLength(1);
  }, 300_000);
});
