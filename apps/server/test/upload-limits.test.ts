import type { TestDatabase } from '@jobkit/db/testing';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, userWithToken, type HttpHarness } from './harness.ts';

const mebibyte = 1024 * 1024;
let harness: HttpHarness;
let db: TestDatabase;

beforeAll(async () => {
  harness = await startHarness({ maxUploadBytes: 4 * mebibyte, maxStorageBytesPerUser: 5 * mebibyte, maxConcurrentUploadsPerUser: 3 });
  db = harness.db;
});
afterAll(() => harness.close());

function csvOf(bytes: number): string {
  return 'id,value\n' + '1,2.5\n'.repeat(Math.ceil(bytes / 6));
}

async function upload(token: string, name: string, body: string) {
  const form = new FormData();
  form.append('file', new Blob([body]), name);
  const response = await fetch(`${harness.baseUrl}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

async function filesOf(userId: string) {
  const { rows } = await db.pool.query<{ files: number; bytes: string; staged: number }>(
    `SELECT count(*)::int AS files, coalesce(sum(size), 0) AS bytes, count(staged_at)::int AS staged FROM stored_file WHERE owner_id = $1`,
    [userId],
  );
  return { files: rows[0]?.files, bytes: Number(rows[0]?.bytes), staged: rows[0]?.staged };
}

/** An upload that sends its headers and 70 KB (enough to be judged and staged), then waits: it holds its slot until closed. */
function openUpload(token: string): Socket {
  const { hostname, port } = new URL(harness.baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  socket.write(
    `POST /files HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n` +
      `--b\r\nContent-Disposition: form-data; name="file"; filename="open.csv"\r\n\r\n${csvOf(70_000)}`,
  );
  return socket;
}

describe('per-user upload limits', () => {
  it('refuses an upload past the storage quota, saying how much is used and what to do', async () => {
    const { userId, token } = await userWithToken(db);
    expect((await upload(token, 'first.csv', csvOf(3 * mebibyte))).status).toBe(201);
    const refused = await upload(token, 'second.csv', csvOf(3 * mebibyte));
    expect(refused.status).toBe(413);
    expect(refused.body.error).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message:
        'second.csv does not fit in your storage: your files already use 3 MB of your 5 MB. Files go with the jobs that used them ' +
        'when those expire, and uploads no job used after 24 hours; wait for that, or ask an administrator to raise MAX_STORAGE_MB_PER_USER.',
    });
    const kept = await filesOf(userId);
    expect(kept).toMatchObject({ files: 1, staged: 0 });
    // The web app can tell before sending.
    const limits = await call(harness.baseUrl, 'files.limits', 'query', { token });
    expect(limits.body).toMatchObject({ result: { data: { storage: { usedBytes: kept.bytes, quotaBytes: 5 * mebibyte } } } });
    // Another user has a quota of their own.
    const other = await userWithToken(db);
    expect((await upload(other.token, 'theirs.csv', csvOf(3 * mebibyte))).status).toBe(201);
  });

  it('keeps concurrent uploads of one user together within the quota', async () => {
    const { userId, token } = await userWithToken(db);
    const answers = await Promise.all([1, 2, 3].map((index) => upload(token, `together-${index}.csv`, csvOf(2.5 * mebibyte))));
    // Each counts its chunks as they come, so how many complete depends on how they interleave
    // (possibly none); what they keep never passes the quota.
    const stored = answers.filter(({ status }) => status === 201).length;
    expect(stored).toBeLessThanOrEqual(2);
    for (const answer of answers.filter(({ status }) => status !== 201)) {
      expect(answer.status).toBe(413);
      expect(answer.body.error?.message).toMatch(/does not fit in your storage: your files already use \d+ MB of your 5 MB/);
    }
    const left = await filesOf(userId);
    expect(left).toEqual({ files: stored, bytes: expect.any(Number) as unknown, staged: 0 });
    expect(left.bytes).toBeLessThanOrEqual(5 * mebibyte);
  });

  it('refuses more uploads at once than the per-user limit, with the reason', async () => {
    const { userId, token } = await userWithToken(db);
    const open = [openUpload(token), openUpload(token), openUpload(token)];
    try {
      // Once each is staged, each holds its slot.
      while ((await filesOf(userId)).staged !== 3) await new Promise((resolve) => setTimeout(resolve, 20));
      const answer = await upload(token, 'fourth.csv', csvOf(1000));
      expect(answer.status).toBe(429);
      expect(answer.body.error).toEqual({
        code: 'TOO_MANY_REQUESTS',
        message: 'You have 3 uploads in progress, the most at once; send this one when one of them has finished.',
      });
    } finally {
      for (const socket of open) socket.destroy();
    }
    // Their slots come back once they are gone.
    let after = await upload(token, 'later.csv', csvOf(1000));
    for (let tries = 0; after.status === 429 && tries < 100; tries++) after = await upload(token, 'later.csv', csvOf(1000));
    expect(after.status).toBe(201);
  });
});
