import type { AppRouter } from '@jobkit/api';
import { createWorker, type Worker } from '@jobkit/worker';
import { silentLogger } from '@jobkit/worker/testing';
import { defaultHandlersModule } from '@jobkit/jobs/handlers';
import { createTRPCClient, httpLink } from '@trpc/client';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, userWithToken, type HttpHarness } from './harness.ts';

// Set before the worker starts its handler threads, which take their environment from here: every
// file anything would write to the OS temp folder lands in this one, which must stay empty.
const temporaryFolder = mkdtempSync(join(tmpdir(), 'jobkit-report-'));
const previousTmpdir = process.env.TMPDIR;
process.env.TMPDIR = temporaryFolder;

let harness: HttpHarness;
let worker: Worker;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  ({ token } = await userWithToken(harness.db));
  worker = createWorker({ database: harness.db, handlersModule: defaultHandlersModule, concurrency: 2, logger: silentLogger });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  await harness.close();
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
  rmSync(temporaryFolder, { recursive: true, force: true });
});

async function upload(name: string, bytes: Uint8Array | string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const response = await fetch(`${harness.baseUrl}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const body = (await response.json()) as { fileId?: string };
  expect(response.status).toBe(201);
  if (body.fileId === undefined) throw new Error('no fileId');
  return body.fileId;
}

const sales =
  'region,month,units,revenue,returned\n' +
  Array.from({ length: 300 }, (_, index) => `${['north', 'south', 'east', 'west'][index % 4]},2024-${String((index % 12) + 1).padStart(2, '0')}-01,${(index * 37) % 101},${((index * 7919) % 10007) / 10},${index % 9 === 0}`).join('\n');

describe('the Excel report, uploaded back', () => {
  it('analyses as a workbook, on every sheet, through real uploads and handler threads, leaving no temporary file', async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${harness.baseUrl}/trpc`, headers: { authorization: `Bearer ${token}` } })] });
    const finished = async (jobId: string) => {
      let job = await client.jobs.getJob.query({ jobId });
      while (job.status === 'queued' || job.status === 'running') {
        await sleep(25);
        job = await client.jobs.getJob.query({ jobId });
      }
      return job;
    };

    const first = await finished((await client.analysis.startDatasetAnalysis.mutate({ input: { fileId: await upload('sales.csv', sales) } })).jobId);
    if (first.kind !== 'datasetAnalysis' || first.result === null) throw new Error(`the CSV analysis ended ${first.status}`);
    const download = await fetch(`${harness.baseUrl}/files/${first.result.report.fileId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(download.status).toBe(200);
    const reportId = await upload('sales - analysis.xlsx', new Uint8Array(await download.arrayBuffer()));

    // Each sheet, several times over: the failure it replaces came and went with timing.
    const sheets = ['Summary', 'Correlations', 'region', 'revenue', 'Summary', 'Correlations', 'units', 'returned'];
    const jobs = await Promise.all(
      sheets.map(async (sheet) => finished((await client.analysis.startDatasetAnalysis.mutate({ input: { fileId: reportId, sheet, hasHeader: false } })).jobId)),
    );
    for (const [index, job] of jobs.entries()) {
      expect(job.status === 'failed' ? job.error : job.status).toBe('completed');
      if (job.kind === 'datasetAnalysis' && job.result !== null) expect(job.result.file).toMatchObject({ format: 'xlsx', sheet: sheets[index] });
    }
    const summary = jobs[0];
    if (summary?.kind === 'datasetAnalysis' && summary.result !== null) {
      // The title, three facts, the table's header and a row per column of sales.csv.
      expect(summary.result.rowCount).toBe(1 + 3 + 1 + 5);
    }
    // tsx, which loads the handler threads' TypeScript, keeps its compile cache there (once per
    // source file, not per job): everything else would be a leftover.
    expect(readdirSync(temporaryFolder).filter((name) => !name.startsWith('tsx-'))).toEqual([]);
  });
});
