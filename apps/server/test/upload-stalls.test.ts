import type { AppRouter } from '@jobkit/api';
import type { TestDatabase } from '@jobkit/db/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, userWithToken, type HttpHarness } from './harness.ts';

// Enough stalled uploads to take every connection of the API's pool (10 in tests, 20 in `start`).
const stalledUploads = Number(process.env.STALLED_UPLOADS ?? 20);
const idleTimeoutMs = 8_000;
let harness: HttpHarness;
let db: TestDatabase;
let token: string;

beforeAll(async () => {
  harness = await startHarness({
    maxUploadBytes: 64 * 1024 * 1024,
    uploadIdleTimeoutMs: idleTimeoutMs,
    maxConcurrentUploadsPerUser: 0,
  });
  db = harness.db;
  ({ token } = await userWithToken(db));
});
afterAll(() => harness.close());

interface RawUpload {
  socket: Socket;
  /** Everything the server sent back, once it closed the connection. */
  closed: Promise<string>;
}

/** A client that starts a 5 MB upload, sends `sentBytes` of it, and then goes silent. */
function stallingUpload(sentBytes: number): RawUpload {
  const { hostname, port } = new URL(harness.baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  const boundary = 'stall-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  const rows = 'id,name,amount\n' + '1,a stalled row,12.5\n'.repeat(Math.ceil(sentBytes / 20));
  socket.write(
    `POST /files HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n${head}${rows.slice(0, sentBytes)}`,
  );
  const closed = new Promise<string>((resolve) => {
    let answer = '';
    socket.on('data', (data: Buffer) => (answer += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve(answer);
    });
  });
  return { socket, closed };
}

async function withinSeconds<T>(seconds: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${seconds} s`));
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('stalled uploads', () => {
  it(`${stalledUploads} uploads that stall midway leave /readyz and getJob answering, and are cut off leaving no rows`, async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${harness.baseUrl}/trpc`, headers: { authorization: `Bearer ${token}` } })],
    });
    const { jobId } = await client.analysis.startDocumentAnalysis.mutate({ input: { text: 'A job to poll while uploads stall.' } });
    const rssBefore = process.memoryUsage().rss;

    const uploads = Array.from({ length: stalledUploads }, () => stallingUpload(200 * 1024));
    // Loopback delivers the 200 KB at once; give the server a moment to read them.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const stillOpen = () => uploads.filter(({ socket }) => !socket.closed).length;
    for (let round = 0; round < 3; round++) {
      const health = await withinSeconds(3, fetch(`${harness.baseUrl}/readyz`));
      expect(health.status).toBe(200);
      const job = await withinSeconds(3, client.jobs.getJob.query({ jobId }));
      expect(job.id).toBe(jobId);
    }
    // Each upload is read up to where it stalls: its staged row exists, committed and invisible.
    const staged = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM stored_file WHERE staged_at IS NOT NULL')).rows[0]?.n);
    for (let tries = 0; (await staged()) < stalledUploads && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await staged()).toBe(stalledUploads);
    expect(stillOpen()).toBe(stalledUploads);
    // While they wait for their clients, the uploads hold no transaction open.
    const idleInTransaction = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(Number(idleInTransaction.rows[0]?.n)).toBe(0);
    const rssStalled = process.memoryUsage().rss;

    const answers = await withinSeconds((idleTimeoutMs * 3) / 1000, Promise.all(uploads.map(({ closed }) => closed)));
    for (const answer of answers) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('"code":"TIMEOUT"');
      expect(answer).toContain('The upload sent nothing for 8 s and was cut off; nothing of it was kept.');
    }
    expect(await db.prisma.storedFile.count()).toBe(0);
    expect(await db.prisma.fileChunk.count()).toBe(0);
    console.log(
      `[uploads] ${stalledUploads} stalled uploads of 200 KB: /readyz and getJob answered throughout; all cut off with 408, 0 rows left; ` +
        `server process RSS +${Math.round((rssStalled - rssBefore) / 1024 / 1024)} MB while stalled`,
    );
  });
});
