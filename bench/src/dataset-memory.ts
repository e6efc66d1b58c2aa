/**
 * `pnpm bench:dataset`: memory and speed of the dataset analysis on a large CSV.
 * Writes a deterministic CSV of BENCH_DATASET_MB megabytes (default 100) to the temp folder,
 * uploads it into the real file store (PostgreSQL, 1 MiB chunks; embedded unless DATABASE_URL),
 * claims a dataset job for it and runs the handler in this process with the job's real files
 * capability (reads and the report go through the database), and prints wall time, rows, MB/s
 * and peak memory against the baseline before the run.
 */
import { applyMigrations, openDatabase, type Database } from '@jobkit/db';
import { claimJobs, enqueueJobs } from '@jobkit/queue';
import { storeFile } from '@jobkit/files';
import { datasetAnalysis } from '@jobkit/jobs';
import { datasetAnalysisHandler, seededRandom } from '@jobkit/analyses/handlers';
import { jobFiles, jobWebhooks } from '@jobkit/worker/testing';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDatabase } from './database.ts';

const targetBytes = Number(process.env.BENCH_DATASET_MB ?? 100) * 1024 * 1024;
const sampleEveryMs = 50;
const mb = (bytes: number) => bytes / 1024 / 1024;

const words = 'the a report order late early shipped customer price quality delivery box damaged great fine slow fast return refund support call again thanks item missing colour size small large perfect broken'.split(' ');
const categories = ['books', 'garden', 'toys', 'kitchen', 'sports', 'music', 'tools', 'beauty', 'office', 'pets', 'baby', 'auto'];
const countries = 'FR DE ES IT NL BE PT PL SE DK FI IE AT CZ GR HU RO BG HR SK SI LT LV EE LU MT CY GB US CA'.split(' ');

/** Ten columns: integers, date-times, dates, categories, decimals with NA, a correlated pair, booleans, free text, unique emails. */
async function writeDataset(path: string): Promise<number> {
  const random = seededRandom(42);
  const pick = (items: readonly string[]): string => items[Math.floor(random() * items.length)] ?? '';
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out = createWriteStream(path);
  out.write('id,created_at,day,category,country,amount,quantity,score,active,comment,email\n');
  let written = 0;
  let rows = 0;
  while (written < targetBytes) {
    const lines: string[] = [];
    for (let line = 0; line < 1000; line++) {
      rows++;
      const created = new Date(Date.UTC(2020, 0, 1) + rows * 37_000 + Math.floor(random() * 30_000)).toISOString().slice(0, 19) + 'Z';
      const day = random() < 0.02 ? '' : new Date(Date.UTC(2015, 0, 1) + Math.floor(random() * 3650) * 86_400_000).toISOString().slice(0, 10);
      // Zipf-like: the first categories far more frequent than the last.
      const category = categories[Math.floor(categories.length * random() ** 2)] ?? 'other';
      const amount = Math.exp(3 + 0.8 * normal());
      const score = (amount / 20 + normal()).toFixed(3);
      const text = Array.from({ length: 3 + Math.floor(random() * 10) }, () => pick(words)).join(' ');
      const comment = random() < 0.2 ? '' : random() < 0.05 ? `"${text}, again"` : text;
      lines.push(
        [rows, created, day, category, pick(countries), random() < 0.01 ? 'NA' : amount.toFixed(2), 1 + Math.floor(random() * 20), score, random() < 0.5, comment, `user${rows}@example.com`].join(','),
      );
    }
    const chunk = lines.join('\n') + '\n';
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

/** A user, the upload, and a claimed dataset job for it: what a worker holds when the handler starts. */
async function claimedJobFor(db: Database, path: string) {
  const ownerId = randomUUID();
  await db.pool.query(`INSERT INTO "user" (id, email, name) VALUES ($1, 'bench@example.com', 'Bench')`, [ownerId]);
  const started = performance.now();
  const file = await storeFile(db.pool, { ownerId, name: 'bench.csv', contentType: 'text/csv' }, createReadStream(path), {
    maxBytes: 2 * targetBytes,
  });
  console.log(`uploaded into PostgreSQL in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const input = datasetAnalysis.input.parse({ fileId: file.id });
  await enqueueJobs(db.pool, [
    { kind: datasetAnalysis.kind, payloadVersion: 1, input, ownerId, maxAttempts: 1, inputFileIds: [file.id] },
  ]);
  const [job] = await claimJobs(db.pool, { workerId: 'bench', kinds: [datasetAnalysis.kind], limit: 1, leaseMs: 3_600_000 });
  if (!job) throw new Error('the dataset job was not claimed');
  return { input, ref: { jobId: job.id, workerId: 'bench', attempt: job.attempt } };
}

const path = join(tmpdir(), `jobkit-bench-dataset-${process.pid}.csv`);
const target = await benchDatabase();
await applyMigrations(target.url);
const db = openDatabase(target.url, { maxConnections: 4 });
try {
  let started = performance.now();
  const generatedRows = await writeDataset(path);
  const { size } = await stat(path);
  console.log(`generated ${mb(size).toFixed(1)} MB, ${generatedRows.toLocaleString('en')} rows, in ${((performance.now() - started) / 1000).toFixed(1)} s: ${path}`);

  const { input, ref } = await claimedJobFor(db, path);
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, sampleEveryMs);

  const stageStarts = new Map<string, number>();
  started = performance.now();
  const output = await datasetAnalysisHandler.run({
    jobId: ref.jobId,
    attempt: ref.attempt,
    input,
    signal: new AbortController().signal,
    files: jobFiles(db.pool, ref),
    webhooks: jobWebhooks(db.pool, ref.jobId),
    progress(_percent, _message, data) {
      if (data && !stageStarts.has(data.stage)) stageStarts.set(data.stage, performance.now());
    },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  const stages = [...stageStarts.entries()].map(([stage, at], index, all) => {
    const end = all[index + 1]?.[1] ?? started + seconds * 1000;
    return `${stage} ${((end - at) / 1000).toFixed(1)} s`;
  });
  const email = output.columns.find(({ name }) => name === 'email');
  const amount = output.columns.find(({ name }) => name === 'amount');
  console.log(`rows ${output.rowCount.toLocaleString('en')}, columns ${output.columns.length}, passes ${output.passes}`);
  console.log(`wall ${seconds.toFixed(1)} s (${stages.join(', ')}): ${(mb(size) / seconds).toFixed(1)} MB/s of file, ${((mb(size) * output.passes) / seconds).toFixed(1)} MB/s read`);
  console.log(`types: ${output.columns.map(({ name, type }) => `${name}=${type}`).join(' ')}`);
  console.log(`email distinct ${email?.distinct.count.toLocaleString('en')} (exact: ${email?.distinct.exact}); amount median ${amount?.numeric?.median.toFixed(2)} (exact: ${amount?.numeric?.medianExact}); report ${(output.report.size / 1024).toFixed(0)} KB`);
  console.log(`baseline rss ${mb(baseline.rss).toFixed(0)} MB, heapUsed ${mb(baseline.heapUsed).toFixed(0)} MB`);
  console.log(`peak rss ${mb(peakRss).toFixed(0)} MB (+${mb(peakRss - baseline.rss).toFixed(0)} MB), peak heapUsed ${mb(peakHeap).toFixed(0)} MB (+${mb(peakHeap - baseline.heapUsed).toFixed(0)} MB), sampled every ${sampleEveryMs} ms`);
  console.log(`maxRSS over the process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (file generation and upload included)`);
} finally {
  await rm(path, { force: true });
  await db.close();
  await target.dispose();
}
