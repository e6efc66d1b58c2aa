import { readFileChunks, storeFile } from '@jobkit/files';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { callTranscriptAnalysis, datasetAnalysis, documentAnalysis } from '../src/contracts/index.ts';
import { fileTypes } from '@jobkit/contract';
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
const handlersModule = new URL('./fixtures/handlers.ts', import.meta.url);
import { createWorker, type Worker } from '@jobkit/worker';
import { enqueue, silentLogger, waitFor } from '@jobkit/worker/testing';

let db: TestDatabase;
let worker: Worker;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
  worker = createWorker({ database: db, handlersModule, concurrency: 2, logger: silentLogger });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  await db.drop();
});

/** Waits for the job's end, and prints how long its run took (for the README's numbers). */
async function finished(jobId: string, sample = '') {
  const job = await waitFor(async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    return row.status === 'queued' || row.status === 'running' ? undefined : row;
  }, 30_000);
  if (sample && job.startedAt && job.finishedAt) {
    console.log(`[kinds] ${job.kind} on ${sample}: ${job.finishedAt.getTime() - job.startedAt.getTime()} ms`);
  }
  return job;
}

/** Two pages of a short memo, the way a word processor would export it. */
async function memoPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const pages = [
    ['Quarterly memo', 'Revenue grew in every region this quarter.', 'The board meets on June 3, 2026 to review it.'],
    ['Next steps', 'Send questions to finance@example.com before the meeting.'],
  ];
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, index) => {
      page.drawText(line, { x: 50, y: 780 - index * 24, size: index === 0 ? 18 : 12, font });
    });
  }
  return pdf.save();
}

describe('jobs that read and write files, through the worker and the database', () => {
  it('analyses an uploaded PDF', async () => {
    const file = await storeFile(db.pool, { ownerId, name: 'memo.pdf', contentType: fileTypes.pdf.contentType }, await memoPdf(), {
      maxBytes: 1e6,
    });
    const [jobId] = await enqueue(db, documentAnalysis, ownerId, [{ fileId: file.id }], { inputFileIds: [file.id] });
    const job = await finished(jobId ?? '', 'a 2-page PDF');
    expect(job.error).toBeNull();
    const result = documentAnalysis.output.parse(job.result);
    expect(result.source).toEqual({ name: 'memo.pdf', contentType: 'application/pdf', pageCount: 2 });
    expect(result.entities?.emails).toEqual(['finance@example.com']);
    expect(result.entities?.dates.map((date) => date.date)).toEqual(['2026-06-03']);
    // 2 + 7 + 10 + 2 + 8: the word segmenter splits the email address at its @.
    expect(result.wordCount).toBe(29);
  });

  it('turns an uploaded CSV into statistics and an Excel report the job owns', async () => {
    const csv = await readFile(new URL('fixtures/datasets/members.csv', import.meta.url));
    const file = await storeFile(db.pool, { ownerId, name: 'members.csv', contentType: 'text/csv' }, csv, { maxBytes: 1e6 });
    const [jobId] = await enqueue(db, datasetAnalysis, ownerId, [{ fileId: file.id }], { inputFileIds: [file.id] });
    const job = await finished(jobId ?? '', 'members.csv (40 rows, 8 columns)');
    expect(job.error).toBeNull();
    const result = datasetAnalysis.output.parse(job.result);
    expect(result.rowCount).toBe(40);
    expect(result.columns.map((column) => column.name)).toEqual(['id', 'city', 'joined', 'active', 'height_cm', 'weight_kg', 'visits', 'note']);

    const links = await db.prisma.jobFile.findMany({ where: { jobId: job.id }, orderBy: { role: 'asc' } });
    expect(links.map((link) => [link.role, link.fileId])).toEqual([
      ['input', file.id],
      ['output', result.report.fileId],
    ]);
    const report = await db.prisma.storedFile.findUniqueOrThrow({ where: { id: result.report.fileId } });
    expect(report.ownerId).toBe(ownerId);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.read(Readable.from(readFileChunks(db.pool, { id: report.id, size: Number(report.size) })));
    expect(workbook.worksheets[0]?.name).toBe('Summary');
    expect(workbook.worksheets.length).toBeGreaterThanOrEqual(1 + result.columns.length);
  });

  it('analyses an uploaded SRT transcript as it would the pasted text', async () => {
    const srt = await readFile(new URL('fixtures/transcripts/support-call.srt', import.meta.url));
    const file = await storeFile(db.pool, { ownerId, name: 'call.srt', contentType: fileTypes.srt.contentType }, srt, { maxBytes: 1e6 });
    const [fromFile, pasted] = await enqueue(db, callTranscriptAnalysis, ownerId, [{ fileId: file.id }, { transcript: srt.toString() }], {
      inputFileIds: [file.id],
    });
    const [fileJob, pastedJob] = await Promise.all([finished(fromFile ?? '', 'support-call.srt (5 turns)'), finished(pasted ?? '')]);
    expect(fileJob.error).toBeNull();
    expect(fileJob.result).toMatchObject({ format: 'srt', durationSeconds: 30, turns: 5 });
    expect(fileJob.result).toEqual(pastedJob.result);
  });

  it('fails for good, saying why, when the file is not the job owner’s', async () => {
    const stranger = await createTestUser(db);
    const file = await storeFile(db.pool, { ownerId: stranger, name: 'theirs.csv', contentType: 'text/csv' }, Buffer.from('a\n1\n'), {
      maxBytes: 100,
    });
    const [jobId] = await enqueue(db, datasetAnalysis, ownerId, [{ fileId: file.id }]);
    const job = await finished(jobId ?? '');
    expect(job.status).toBe('failed');
    expect(job.attempt).toBe(1);
    expect(job.error).toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
