import type { AppRouter } from '@jobkit/api';
import type { TestDatabase } from '@jobkit/db/testing';
import { createWorker, type Worker } from '@jobkit/worker';
import { silentLogger } from '@jobkit/worker/testing';
import { defaultHandlersModule } from '@jobkit/jobs/handlers';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { connect } from 'node:net';
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
  worker = createWorker({ database: db, handlersModule: defaultHandlersModule, concurrency: 1, logger: silentLogger });
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

  it('answers an upload refused while it is still being sent, reading the rest, so the connection goes on', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const { hostname, port } = new URL(baseUrl);
    const request = (name: string, body: Buffer) => {
      const head = Buffer.from(`--b0undary\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`);
      const tail = Buffer.from('\r\n--b0undary--\r\n');
      return Buffer.concat([
        Buffer.from(
          `POST /files HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
            `Content-Type: multipart/form-data; boundary=b0undary\r\nContent-Length: ${head.length + body.length + tail.length}\r\n\r\n`,
        ),
        head,
        body,
        tail,
      ]);
    };
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString()));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => undefined);
    // A picture of 900 KB (refused by its first bytes), then, on the same connection, a small upload.
    socket.write(request('photo.csv', Buffer.concat([png, Buffer.alloc(900 * 1024, 7)])));
    socket.write(request('after.txt', Buffer.from('The next upload goes through.')));
    for (let tries = 0; !received.includes('HTTP/1.1 201') && !socket.closed && tries < 500; tries++) await sleep(10);
    socket.destroy();
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 415 [^]*photo\.csv: This file is image\/png[^]*HTTP\/1\.1 201 /);
  });

  it('tells a start which file types its kind reads', async () => {
    const fileId = await uploadedId('table.csv', 'a,b\n1,2\n');
    const start = clientWith(token).analysis.startDocumentAnalysis.mutate({ input: { fileId } });
    await expect(start).rejects.toThrow('Document analysis reads PDF, Word (DOCX), Markdown, plain text files; table.csv is CSV.');
    await expect(start).rejects.toBeInstanceOf(TRPCClientError);
  });

  it.each(['application/json', 'text/plain', 'application/octet-stream', 'image/png'])(
    'answers a %s body with a readable 415',
    async (contentType) => {
      const response = await fetch(`${baseUrl}/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        body: contentType === 'application/json' ? '{}' : 'a,b\n1,2\n',
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({
        error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the file as multipart/form-data, in a field named "file".' },
      });
    },
  );

  const part = (name: string, fileName: string | null, body: string) =>
    `--b0undary\r\nContent-Disposition: form-data; name="${name}"${fileName === null ? '' : `; filename="${fileName}"`}\r\n` +
    `Content-Type: text/csv\r\n\r\n${body}\r\n`;
  const csvRows = 'a,b\n1,2\n';
  it.each([
    ['no boundary', 'multipart/form-data', part('file', 'a.csv', csvRows) + '--b0undary--\r\n', /^The multipart\/form-data body is broken \(.+\); send the file again in a field named "file"\.$/],
    ['a body cut before its end', 'multipart/form-data; boundary=b0undary', part('file', 'a.csv', csvRows), /^The multipart\/form-data body is broken/],
    ['a broken part header', 'multipart/form-data; boundary=b0undary', `--b0undary\r\n${'x'.repeat(100_000)}\r\n\r\n${csvRows}`, /^The multipart\/form-data body is broken/],
    ['two files', 'multipart/form-data; boundary=b0undary', part('file', 'a.csv', csvRows) + part('file', 'b.csv', csvRows) + '--b0undary--\r\n', /^Send one file per request/],
    ['a field instead of a file', 'multipart/form-data; boundary=b0undary', part('file', null, csvRows) + '--b0undary--\r\n', /^Send one file per request|^The request has no file/],
    ['a file in another field', 'multipart/form-data; boundary=b0undary', part('upload', 'a.csv', csvRows) + '--b0undary--\r\n', /^The request has no file\. Send the file as multipart\/form-data, in a field named "file"\.$/],
    ['no part at all', 'multipart/form-data; boundary=b0undary', '--b0undary--\r\n', /^The request has no file/],
  ])('answers a multipart body with %s with a readable 400 and keeps nothing', async (_, contentType, body, message) => {
    const before = await fileCount();
    const response = await fetch(`${baseUrl}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('BAD_REQUEST');
    expect(answer.error.message).toMatch(message);
    expect(await fileCount()).toBe(before);
  });

  it('keeps nothing of an upload whose client hangs up midway', async () => {
    const before = await fileCount();
    const { hostname, port } = new URL(baseUrl);
    const socket = connect({ host: hostname, port: Number(port) });
    const answer = new Promise<string>((resolve) => {
      let received = '';
      socket.on('data', (data: Buffer) => (received += data.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        resolve(received);
      });
    });
    socket.write(
      `POST /files HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: multipart/form-data; boundary=b0undary\r\nContent-Length: 900000\r\n\r\n` +
        part('file', 'half.csv', 'a,b\n' + '1,2\n'.repeat(150_000)).slice(0, 600_000),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.end();
    const received = await answer;
    // The server may still answer the half-closed connection; if it does, it is a 400, never a 500.
    if (received !== '') expect(received).toMatch(/^HTTP\/1\.1 400 /);
    for (let tries = 0; (await db.prisma.storedFile.count()) > before && tries < 100; tries++) await sleep(20);
    expect(await fileCount()).toBe(before);
  });
});
