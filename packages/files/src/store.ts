import type pg from 'pg';
import type { AttemptRef } from '@jobkit/queue';
import { discardStagedFile, fileChunkBytes, stageFile, type NewFile, type StagingLimits } from './staging.ts';

export { fileChunkBytes, FileTooLargeError, rechunk, StorageQuotaError, type NewFile, type StagingLimits } from './staging.ts';

/**
 * Files live in PostgreSQL: a `stored_file` row and its bytes as `file_chunk` rows of 1 MiB. Every
 * worker already has a connection to this database, so a worker on another machine streams an
 * upload without shared disks, and the files go when their rows do. An object store could replace
 * this module: everything outside it sees only these functions.
 */
export interface StoredFileRecord {
  id: string;
  ownerId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: Date;
}

interface FileRow {
  id: string;
  owner_id: string;
  name: string;
  content_type: string;
  size: string;
  sha256: string;
  created_at: Date;
}

const fileColumns = 'id, owner_id, name, content_type, size, sha256, created_at';

function recordOf(row: FileRow): StoredFileRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    createdAt: row.created_at,
  };
}

const publishSql = `
UPDATE stored_file SET staged_at = NULL, sha256 = $3
WHERE id = $1 AND staged_at IS NOT NULL AND size = $2
RETURNING ${fileColumns}`;

/**
 * Stores an upload: its chunks commit one by one while it arrives (no connection or transaction
 * held in between), and one statement publishes it. A failed, refused or oversized upload leaves
 * nothing behind. The content type is the caller's verdict from the content; this function does
 * not guess.
 */
export async function storeFile(
  pool: pg.Pool,
  file: NewFile,
  content: AsyncIterable<Uint8Array> | Uint8Array,
  limits: StagingLimits,
): Promise<StoredFileRecord> {
  const staged = await stageFile(pool, file, content, limits);
  const { rows } = await pool.query<FileRow>(publishSql, [staged.id, staged.size, staged.sha256]).catch(async (error: unknown) => {
    await discardStagedFile(pool, staged.id).catch(() => undefined);
    throw error;
  });
  const [row] = rows;
  if (!row) throw new Error(`Staged file ${staged.id} was deleted before it was published`);
  return recordOf(row);
}

// The file belongs to the job's owner, and is published and linked to the job in one statement,
// but only while this attempt still holds the job: a worker that lost its lease must not attach
// files to a job someone else now runs.
const publishOutputSql = `
WITH holder AS (
  SELECT id FROM job WHERE id = $1 AND locked_by = $3 AND attempt = $4 AND status = 'running'
), published AS (
  UPDATE stored_file SET staged_at = NULL, sha256 = $6, attached_at = now()
  FROM holder WHERE stored_file.id = $2 AND stored_file.staged_at IS NOT NULL AND stored_file.size = $5
  RETURNING stored_file.*
), linked AS (
  INSERT INTO job_file (job_id, file_id, role) SELECT $1, id, 'output' FROM published
)
SELECT ${fileColumns} FROM published`;

/** Stores a file a running job produced, owned by the job's owner and deleted with the job. */
export async function storeJobOutputFile(
  pool: pg.Pool,
  ref: AttemptRef,
  file: { name: string; contentType: string },
  content: AsyncIterable<Uint8Array> | Uint8Array,
  options: { maxBytes: number },
): Promise<StoredFileRecord> {
  const owner = await pool.query<{ owner_id: string }>('SELECT owner_id FROM job WHERE id = $1', [ref.jobId]);
  const ownerId = owner.rows[0]?.owner_id;
  if (ownerId === undefined) throw new Error(`Job ${ref.jobId} does not exist`);
  const staged = await stageFile(pool, { ...file, ownerId }, content, options);
  try {
    const { rows } = await pool.query<FileRow>(publishOutputSql, [ref.jobId, staged.id, ref.workerId, ref.attempt, staged.size, staged.sha256]);
    const [row] = rows;
    if (!row) throw new Error(`Attempt ${ref.attempt} of job ${ref.jobId} no longer holds the job`);
    return recordOf(row);
  } catch (error) {
    await discardStagedFile(pool, staged.id).catch(() => undefined);
    throw error;
  }
}

/** A file of the job's owner (the only files a handler may read), or undefined. */
export async function findFileForJob(pool: pg.Pool, jobId: string, fileId: string): Promise<StoredFileRecord | undefined> {
  const { rows } = await pool.query<FileRow>(
    `SELECT f.id, f.owner_id, f.name, f.content_type, f.size, f.sha256, f.created_at
     FROM stored_file f JOIN job j ON j.owner_id = f.owner_id
     WHERE j.id = $1 AND f.id = $2 AND f.staged_at IS NULL`,
    [jobId, fileId],
  );
  return rows[0] && recordOf(rows[0]);
}

/** The bytes all of an owner's files take, uploads still arriving included: what the storage quota counts. */
export async function storageUsedBy(pool: pg.Pool, ownerId: string): Promise<number> {
  const { rows } = await pool.query<{ used: string }>('SELECT coalesce(sum(size), 0) AS used FROM stored_file WHERE owner_id = $1', [ownerId]);
  return Number(rows[0]?.used ?? 0);
}

/** A file by id, for callers that check ownership themselves (the API's owner scope). */
export async function findFile(pool: pg.Pool, fileId: string): Promise<StoredFileRecord | undefined> {
  const { rows } = await pool.query<FileRow>(`SELECT ${fileColumns} FROM stored_file WHERE id = $1 AND staged_at IS NULL`, [fileId]);
  return rows[0] && recordOf(rows[0]);
}

/**
 * The file's bytes, chunk by chunk, one query per chunk (no transaction held open while a handler
 * works), from `fromByte` on (a reader of a zip starts at its directory, at the end). The next
 * chunk is fetched while the caller handles the current one. A file deleted midway is an error,
 * never a silently shorter file.
 */
export async function* readFileChunks(
  pool: pg.Pool,
  file: Pick<StoredFileRecord, 'id' | 'size'>,
  options: { fromByte?: number } = {},
): AsyncGenerator<Uint8Array> {
  const fromByte = Math.max(0, options.fromByte ?? 0);
  if (fromByte >= file.size && file.size > 0) return;
  const fetchChunk = async (seq: number): Promise<Uint8Array | undefined> => {
    const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM file_chunk WHERE file_id = $1 AND seq = $2', [
      file.id,
      seq,
    ]);
    return rows[0]?.data;
  };
  const firstSeq = Math.floor(fromByte / fileChunkBytes);
  let skip = fromByte - firstSeq * fileChunkBytes;
  let bytesRead = firstSeq * fileChunkBytes;
  let next = fetchChunk(firstSeq);
  try {
    for (let seq = firstSeq + 1; ; seq += 1) {
      const chunk = await next;
      if (!chunk) break;
      next = fetchChunk(seq);
      bytesRead += chunk.length;
      yield skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
    }
  } finally {
    // A reader that stops early leaves a fetch in flight; its failure must not go unhandled.
    next.catch(() => undefined);
  }
  if (bytesRead !== file.size) {
    throw new Error(`File ${file.id} ended after ${bytesRead} of ${file.size} bytes: it was deleted while being read`);
  }
}
