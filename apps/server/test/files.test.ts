import type { AppRouter } from '@jobkit/api';
import type { TestDatabase } from '@jobkit/db/testing';
import { createWorker, type Worker } from '@jobkit/worker';
import { defaultHandlersModule } from '@jobkit/worker/handlers';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, userWithToken, type HttpHarness } from './harness.ts';

const maxUploadBytes = 1024 * 1024;
let harness: HttpHarness;
let db: TestDatabase;
let worker: Worker;
let baseUrl: string;
let token: string;
let strangerToken: string;

function clientWith(bearer: string) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseUrl}/trpc`, headers: { authorization: `Bearer ${bearer}` } })] });
}

async function upload(name: string, bytes: Uint8Array | string, bearer = token) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const response = await fetch(`${baseUrl}/files`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` }, body: form });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function uploadedId(name: string, bytes: Uint8Array | string): Promise<string> {
  const { status, body } = await upload(name, bytes);
  expect(status).toBe(201);
  if (typeof body.fileId !== 'string') throw new Error(`no fileId in ${JSON.stringify(body)}`);
  return body.fileId;
}

async function fileCount(): Promise<number> {
  return db.prisma.storedFile.count();
}

beforeAll(async () => {
  harness = await startHarness({ maxUploadBytes });
  ({ db, baseUrl } = harness);
  ({ token } = await userWithToken(db));
  ({ token: strangerToken } = await userWithToken(db));
  worker = createWorker({ database: db, handlersModule: defaultHandlersModule, concurrency: 1, log: () => undefined });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  await harness.close();
});

const notes = '# Release notes\n\nThe importer reads CSV files. The exporter writes Excel reports.\n\n## Fixes\n\nUploads no longer time out.\n';

describe('uploads and downloads over HTTP', () => {
  it('uploads a Markdown file, analyses it through a worker, and downloads it back byte for byte', async () => {
    const { status, body } = await upload('notes.md', notes);
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: 'notes.md', size: Buffer.byteLength(notes), contentType: 'text/markdown' });
    const fileId = String(body.fileId);

    const client = clientWith(token);
    const { jobId } = await client.analysis.startDocumentAnalysis.mutate({ input: { fileId } });
    let job = await client.jobs.getJob.query({ jobId });
    while (job.status === 'queued' || job.status === 'running') {
      await sleep(25);
      job = await client.jobs.getJob.query({ jobId });
    }
    expect(job.kind === 'documentAnalysis' && job.result).toMatchObject({
      wordCount: 18,
      sentenceCount: 5, // the two headings count as sentences
      outline: [
        { level: 1, title: 'Release notes' },
        { level: 2, title: 'Fixes' },
      ],
      source: { name: 'notes.md', contentType: 'text/markdown' },
    });

    const download = await fetch(`${baseUrl}/files/${fileId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('text/markdown');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="notes.md"; filename*=UTF-8''notes.md`);
    expect(await download.text()).toBe(notes);
  });

  it('keeps files to their owner: another user gets 404 for the download and NOT_FOUND for a start', async () => {
    const fileId = await uploadedId('private.txt', 'Only mine. Nobody else reads it.');
    const stranger = await fetch(`${baseUrl}/files/${fileId}`, { headers: { authorization: `Bearer ${strangerToken}` } });
    expect(stranger.status).toBe(404);
    expect(await stranger.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/^No file /) as unknown } });
    const start = clientWith(strangerToken).analysis.startDocumentAnalysis.mutate({ input: { fileId } });
    await expect(start).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    const anonymous = await fetch(`${baseUrl}/files/${fileId}`);
    expect(anonymous.status).toBe(401);
  });

  it('judges the type by the content: a PNG named .csv and an empty file are refused', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const before = await fileCount();
    const disguised = await upload('data.csv', png);
    expect(disguised.status).toBe(415);
    expect(disguised.body).toEqual({
      error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/^data\.csv: This file is image\/png \(\.png\); accepted: PDF/) as unknown },
    });
    expect((await upload('empty.txt', '')).body).toEqual({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'empty.txt: The file is empty.' } });
    const binary = await upload('blob.txt', new Uint8Array([1, 2, 0, 3]));
    expect(binary.status).toBe(415);
    expect(await fileCount()).toBe(before);
  });

  it('refuses a file over the limit and keeps nothing of it', async () => {
    const before = await fileCount();
    const big = await upload('big.csv', 'a,b\n'.repeat(maxUploadBytes / 4 + 1_000));
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'big.csv is larger than the 1 MB upload limit.' } });
    expect(await fileCount()).toBe(before);
  });

  it('tells a start which file types its kind reads', async () => {
    const fileId = await uploadedId('table.csv', 'a,b\n1,2\n');
    const start = clientWith(token).analysis.startDocumentAnalysis.mutate({ input: { fileId } });
    await expect(start).rejects.toThrow('Document analysis reads PDF, Word (DOCX), Markdown, plain text files; table.csv is CSV.');
    await expect(start).rejects.toBeInstanceOf(TRPCClientError);
  });

  it('answers a request that is not multipart with a readable 400', async () => {
    const response = await fetch(`${baseUrl}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: 'Send the file as multipart/form-data, in a field named "file".' },
    });
  });
});
