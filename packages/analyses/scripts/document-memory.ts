/**
 * What document analyses of the longest text (500,000 characters) cost one worker process: the
 * process's resident memory before, at its peak while the jobs are enqueued one call each (as the
 * API would insert them) and while the worker runs them all, through the real handler on its
 * threads. Runs its own embedded PostgreSQL in a temporary folder.
 *
 *   node --import tsx scripts/document-memory.ts [--jobs 100] [--concurrency 2]
 */
import { applyMigrations, databaseUrlFor, openDatabase, startEmbeddedPostgres } from '@jobkit/db';
import { enqueueJobs } from '@jobkit/queue';
import { documentAnalysis, maxDocumentLength } from '../src/contracts/index.ts';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
const handlersModule = new URL('../test/fixtures/handlers.ts', import.meta.url);
import { createWorker } from '@jobkit/worker';
import { longDocument } from '../test/fixtures/documents/long-text.ts';

const { values: args } = parseArgs({ options: { jobs: { type: 'string', default: '100' }, concurrency: { type: 'string', default: '2' } } });
const jobCount = Number(args.jobs);
const megabytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

const dataDir = await mkdtemp(join(tmpdir(), 'jobkit-document-memory-'));
const server = await startEmbeddedPostgres({ dataDir });
const url = databaseUrlFor(server.urlFor('postgres'), 'postgres');
await applyMigrations(url);
const db = openDatabase(url);
const worker = createWorker({ database: db, handlersModule, concurrency: Number(args.concurrency) });
try {
  const ownerId = randomUUID();
  await db.prisma.user.create({ data: { id: ownerId, email: `${ownerId}@memory.invalid`, name: 'Memory' } });
  const text = longDocument(maxDocumentLength);
  await worker.start();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const startedAt = performance.now();
  const job = { kind: documentAnalysis.kind, payloadVersion: documentAnalysis.version, input: { text }, ownerId, maxAttempts: 1 };
  // Inputs built per call, as requests would bring them, not one shared string.
  await Promise.all(Array.from({ length: jobCount }, (_, n) => enqueueJobs(db.pool, [{ ...job, input: { text: `${n} ${text.slice(String(n).length + 1)}` } }])));
  const enqueuePeak = peak;
  for (;;) {
    const open = await db.prisma.job.count({ where: { status: { in: ['queued', 'running'] } } });
    if (open === 0) break;
    await sleep(200);
  }
  clearInterval(sampler);
  const failed = await db.prisma.job.count({ where: { status: { not: 'completed' } } });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(`${jobCount} document analyses of ${maxDocumentLength} characters, concurrency ${args.concurrency}: ${failed} not completed, ${seconds} s`);
  console.log(`RSS before ${megabytes(baseline)}; peak while enqueuing +${megabytes(enqueuePeak - baseline)}; peak overall +${megabytes(peak - baseline)}`);
} finally {
  await worker.stop();
  await db.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
