import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FileTooLargeError,
  fileChunkBytes,
  findFile,
  findFileForJob,
  readFileChunks,
  rechunk,
  StorageQuotaError,
  storeFile,
  storeJobOutputFile,
} from '../src/index.ts';
import { claimJobs, completeJob, enqueueJobs, sweepExpiredJobs } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';

let db: TestDatabase;
let ownerId: string;
let strangerId: string;
const day = 86_400_000;

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 10 });
  ownerId = await createTestUser(db);
  strangerId = await createTestUser(db);
});
afterAll(() => db.drop());
beforeEach(async () => {
  await db.pool.query('DELETE FROM job; DELETE FROM stored_file');
});

/** The bytes as a network stream would bring them: in pieces of `size`, one per tick. */
async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    await Promise.resolve();
    yield bytes.subarray(offset, offset + size);
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

async function rowCounts() {
  const { rows } = await db.pool.query<{ files: number; chunks: number }>(
    'SELECT (SELECT count(*)::int FROM stored_file) AS files, (SELECT count(*)::int FROM file_chunk) AS chunks',
  );
  return rows[0];
}

const csv = { name: 'data.csv', contentType: 'text/csv' };

describe('file store', () => {
  it('stores a stream in 1 MiB chunks and reads back the same bytes, whatever the pieces it came in', async () => {
    const bytes = randomBytes(2 * fileChunkBytes + 12_345);
    const file = await storeFile(db.pool, { ownerId, ...csv }, pieces(bytes, 70_001), { maxBytes: 10 * fileChunkBytes });
    expect(file).toMatchObject({ ownerId, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(await rowCounts()).toEqual({ files: 1, chunks: 3 });
    const chunks: number[] = [];
    for await (const chunk of readFileChunks(db.pool, file)) chunks.push(chunk.length);
    expect(chunks).toEqual([fileChunkBytes, fileChunkBytes, 12_345]);
    expect((await collect(readFileChunks(db.pool, file))).equals(bytes)).toBe(true);
  });

  it('keeps nothing of an upload over the limit', async () => {
    const upload = storeFile(db.pool, { ownerId, ...csv }, pieces(randomBytes(3 * fileChunkBytes), 100_000), {
      maxBytes: 2 * fileChunkBytes,
    });
    await expect(upload).rejects.toBeInstanceOf(FileTooLargeError);
    expect(await rowCounts()).toEqual({ files: 0, chunks: 0 });
  });

  it('fails a read, rather than ending it early, when the file is deleted midway', async () => {
    const file = await storeFile(db.pool, { ownerId, ...csv }, randomBytes(3 * fileChunkBytes), { maxBytes: 4 * fileChunkBytes });
    const reading = async () => {
      for await (const chunk of readFileChunks(db.pool, file)) {
        expect(chunk.length).toBe(fileChunkBytes);
        await db.pool.query('DELETE FROM stored_file WHERE id = $1', [file.id]);
      }
    };
    await expect(reading()).rejects.toThrow(/deleted while being read/);
  });

  it('commits each chunk as it arrives, holding no transaction while the upload waits for bytes, and publishes at the end', async () => {
    const resumed = new AbortController();
    const waiting = new Promise((resolve) => {
      resumed.signal.addEventListener('abort', resolve);
    });
    async function* stallingUpload(): AsyncGenerator<Uint8Array> {
      yield* pieces(randomBytes(fileChunkBytes + 500_000), 64 * 1024);
      await waiting;
      yield randomBytes(10);
    }
    const upload = storeFile(db.pool, { ownerId, ...csv }, stallingUpload(), { maxBytes: 10 * fileChunkBytes });
    let staged: { id: string; size: string; staged: boolean } | undefined;
    while (!staged || Number(staged.size) < fileChunkBytes) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      ({ rows: [staged] } = await db.pool.query<{ id: string; size: string; staged: boolean }>(
        'SELECT id, size, staged_at IS NOT NULL AS staged FROM stored_file',
      ));
    }
    // Seen from another connection: the first chunk is committed, the file staged and invisible.
    expect(staged).toMatchObject({ size: String(fileChunkBytes), staged: true });
    expect(await findFile(db.pool, staged.id)).toBeUndefined();
    const { rows } = await db.pool.query<{ open: number }>(
      `SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(rows[0]?.open).toBe(0);
    resumed.abort();
    const file = await upload;
    expect(file).toMatchObject({ id: staged.id, size: fileChunkBytes + 500_010 });
    expect(await findFile(db.pool, file.id)).toMatchObject({ size: fileChunkBytes + 500_010 });
  });

  it('keeps nothing of an upload that breaks off midway', async () => {
    async function* brokenOff(): AsyncGenerator<Uint8Array> {
      yield* pieces(randomBytes(2 * fileChunkBytes + 10), 100_000);
      throw new Error('connection reset');
    }
    await expect(storeFile(db.pool, { ownerId, ...csv }, brokenOff(), { maxBytes: 10 * fileChunkBytes })).rejects.toThrow('connection reset');
    expect(await rowCounts()).toEqual({ files: 0, chunks: 0 });
  });

  it('lets concurrent uploads of one owner together stay within the storage quota', async () => {
    const quotaBytes = 5 * fileChunkBytes;
    const uploads = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        storeFile(db.pool, { ownerId, ...csv }, pieces(randomBytes(2 * fileChunkBytes), 50_000), { maxBytes: 10 * fileChunkBytes, quotaBytes }),
      ),
    );
    const stored = uploads.filter((upload) => upload.status === 'fulfilled');
    const refused = uploads.flatMap((upload) => (upload.status === 'rejected' ? [upload.reason as unknown] : []));
    // Their chunks interleave, so how many complete varies (possibly none); what they keep never passes the quota.
    expect(stored.length * 2 * fileChunkBytes).toBeLessThanOrEqual(quotaBytes);
    expect(refused).toHaveLength(4 - stored.length);
    for (const error of refused) expect(error).toBeInstanceOf(StorageQuotaError);
    expect(await rowCounts()).toEqual({ files: stored.length, chunks: 2 * stored.length });
    // Another owner has a quota of their own.
    await storeFile(db.pool, { ownerId: strangerId, ...csv }, randomBytes(fileChunkBytes), { maxBytes: 10 * fileChunkBytes, quotaBytes });
  });

  it('reads from a byte offset', async () => {
    const bytes = randomBytes(2 * fileChunkBytes + 100);
    const file = await storeFile(db.pool, { ownerId, ...csv }, bytes, { maxBytes: 10 * fileChunkBytes });
    for (const fromByte of [0, 5, fileChunkBytes, fileChunkBytes + 7, bytes.length - 1]) {
      expect((await collect(readFileChunks(db.pool, file, { fromByte }))).equals(bytes.subarray(fromByte))).toBe(true);
    }
  });

  it('re-chunks exactly', async () => {
    const sizes: number[] = [];
    for await (const chunk of rechunk(pieces(new Uint8Array(10), 3), 4)) sizes.push(chunk.length);
    expect(sizes).toEqual([4, 4, 2]);
  });
});

describe('files and jobs', () => {
  const job = (inputFileIds: string[]) => ({ kind: 'noop', payloadVersion: 1, input: {}, ownerId, maxAttempts: 1, inputFileIds });

  it('links the owner’s files to a job at enqueue, never a stranger’s', async () => {
    const own = await storeFile(db.pool, { ownerId, ...csv }, new Uint8Array([1]), { maxBytes: 10 });
    const theirs = await storeFile(db.pool, { ownerId: strangerId, ...csv }, new Uint8Array([2]), { maxBytes: 10 });
    const [enqueued] = await enqueueJobs(db.pool, [job([own.id, theirs.id])]);
    const links = await db.prisma.jobFile.findMany({ where: { jobId: enqueued?.id } });
    expect(links.map((link) => [link.fileId, link.role])).toEqual([[own.id, 'input']]);
    expect(await findFileForJob(db.pool, enqueued?.id ?? '', own.id)).toMatchObject({ id: own.id });
    expect(await findFileForJob(db.pool, enqueued?.id ?? '', theirs.id)).toBeUndefined();
  });

  it('attaches a job’s output only while the attempt holds the job, owned by the job’s owner', async () => {
    await enqueueJobs(db.pool, [job([])]);
    const [claimed] = await claimJobs(db.pool, { workerId: 'w1', kinds: ['noop'], limit: 1, leaseMs: 30_000 });
    if (!claimed) throw new Error('nothing claimed');
    const ref = { jobId: claimed.id, workerId: 'w1', attempt: claimed.attempt };
    const report = await storeJobOutputFile(db.pool, ref, { name: 'report.xlsx', contentType: 'application/zip' }, new Uint8Array([7]), {
      maxBytes: 10,
    });
    expect(report.ownerId).toBe(ownerId);
    const stale = storeJobOutputFile(db.pool, { ...ref, workerId: 'w2' }, csv, new Uint8Array([8]), { maxBytes: 10 });
    await expect(stale).rejects.toThrow(/no longer holds the job/);
    expect(await rowCounts()).toEqual({ files: 1, chunks: 1 });
  });

  it('deletes files with their last job at retention, and unused uploads after the grace period', async () => {
    const used = await storeFile(db.pool, { ownerId, ...csv }, new Uint8Array([1]), { maxBytes: 10 });
    const fresh = await storeFile(db.pool, { ownerId, ...csv }, new Uint8Array([2]), { maxBytes: 10 });
    await enqueueJobs(db.pool, [job([used.id])]);
    const [claimed] = await claimJobs(db.pool, { workerId: 'w1', kinds: ['noop'], limit: 1, leaseMs: 30_000 });
    if (!claimed) throw new Error('nothing claimed');
    await completeJob(db.pool, { jobId: claimed.id, workerId: 'w1', attempt: 1 }, {}, 1);

    const sweep = (unusedFileMs: number) => sweepExpiredJobs(db.pool, { batchSize: 100, tombstoneMs: day, unusedFileMs });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await sweep(day)).toBe(1);
    const left = await db.prisma.storedFile.findMany({ select: { id: true } });
    expect(left).toEqual([{ id: fresh.id }]);
    expect(await sweep(0)).toBe(0);
    expect(await rowCounts()).toEqual({ files: 0, chunks: 0 });
  });

  it('sweeps a staged file its process left behind, and not one still being written', async () => {
    await db.pool.query(
      `INSERT INTO stored_file (id, owner_id, name, content_type, size, sha256, staged_at) VALUES
       ('00000000-0000-7000-8000-000000000001', $1, 'left.csv', 'text/csv', 0, '', now() - interval '1 hour'),
       ('00000000-0000-7000-8000-000000000002', $1, 'live.csv', 'text/csv', 0, '', now())`,
      [ownerId],
    );
    await sweepExpiredJobs(db.pool, { batchSize: 100, tombstoneMs: day, unusedFileMs: 0, staleStagedFileMs: 60_000 });
    const left = await db.prisma.storedFile.findMany({ select: { name: true } });
    expect(left).toEqual([{ name: 'live.csv' }]);
  });
});
