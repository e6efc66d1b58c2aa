import { createHash } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { AttemptRef } from '../queue/transitions.ts';

/**
 * Files live in PostgreSQL: a `stored_file` row and its bytes as `file_chunk` rows of 1 MiB. Every
 * worker already has a connection to this database, so a worker on another machine streams an
 * upload without shared disks, and the files go when their rows do. An object store could replace
 * this module: everything outside it sees only these functions.
 */
export const fileChunkBytes = 1024 * 1024;

export interface StoredFileRecord {
  id: string;
  ownerId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: Date;
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes`);
  }
}

/** Cuts any byte stream into pieces of exactly `size` bytes (the last one shorter). */
export async function* rechunk(source: AsyncIterable<Uint8Array> | Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const input: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const piece of input) {
    let offset = 0;
    while (offset < piece.length) {
      const taken = Math.min(size - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + taken), filled);
      filled += taken;
      offset += taken;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

interface NewFile {
  ownerId: string;
  name: string;
  contentType: string;
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

/** Writes the file row and its chunks on `client`, inside the caller's transaction. */
async function writeFile(
  client: pg.PoolClient,
  file: NewFile,
  content: AsyncIterable<Uint8Array> | Uint8Array,
  maxBytes: number,
): Promise<StoredFileRecord> {
  const id = uuidv7();
  await client.query(
    `INSERT INTO stored_file (id, owner_id, name, content_type, size, sha256) VALUES ($1, $2, $3, $4, 0, '')`,
    [id, file.ownerId, file.name, file.contentType],
  );
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  for await (const chunk of rechunk(content, fileChunkBytes)) {
    size += chunk.length;
    if (size > maxBytes) throw new FileTooLargeError(maxBytes);
    hash.update(chunk);
    await client.query('INSERT INTO file_chunk (file_id, seq, data) VALUES ($1, $2, $3)', [id, seq, chunk]);
    seq += 1;
  }
  const { rows } = await client.query<FileRow>(
    `UPDATE stored_file SET size = $2, sha256 = $3 WHERE id = $1 RETURNING ${fileColumns}`,
    [id, size, hash.digest('hex')],
  );
  const [row] = rows;
  if (!row) throw new Error(`File ${id} vanished while it was written`);
  return recordOf(row);
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Stores an upload in one transaction: a failed or oversized upload leaves nothing behind. The
 * content type is the caller's verdict from the content; this function does not guess.
 */
export function storeFile(
  pool: pg.Pool,
  file: NewFile,
  content: AsyncIterable<Uint8Array> | Uint8Array,
  options: { maxBytes: number },
): Promise<StoredFileRecord> {
  return inTransaction(pool, (client) => writeFile(client, file, content, options.maxBytes));
}

// The file belongs to the job's owner and is linked to the job, but only while this attempt still
// holds the job: a worker that lost its lease must not attach files to a job someone else now runs.
const linkOutputSql = `
WITH linked AS (
  INSERT INTO job_file (job_id, file_id, role)
  SELECT job.id, $2, 'output' FROM job
  WHERE job.id = $1 AND job.locked_by = $3 AND job.attempt = $4 AND job.status = 'running'
  RETURNING file_id
)
UPDATE stored_file SET attached_at = now() FROM linked WHERE stored_file.id = linked.file_id`;

/** Stores a file a running job produced, owned by the job's owner and deleted with the job. */
export function storeJobOutputFile(
  pool: pg.Pool,
  ref: AttemptRef,
  file: { name: string; contentType: string },
  content: AsyncIterable<Uint8Array> | Uint8Array,
  options: { maxBytes: number },
): Promise<StoredFileRecord> {
  return inTransaction(pool, async (client) => {
    const owner = await client.query<{ owner_id: string }>('SELECT owner_id FROM job WHERE id = $1', [ref.jobId]);
    const ownerId = owner.rows[0]?.owner_id;
    if (ownerId === undefined) throw new Error(`Job ${ref.jobId} does not exist`);
    const stored = await writeFile(client, { ...file, ownerId }, content, options.maxBytes);
    const linked = await client.query(linkOutputSql, [ref.jobId, stored.id, ref.workerId, ref.attempt]);
    if (linked.rowCount !== 1) throw new Error(`Attempt ${ref.attempt} of job ${ref.jobId} no longer holds the job`);
    return stored;
  });
}

/** A file of the job's owner (the only files a handler may read), or undefined. */
export async function findFileForJob(pool: pg.Pool, jobId: string, fileId: string): Promise<StoredFileRecord | undefined> {
  const { rows } = await pool.query<FileRow>(
    `SELECT f.id, f.owner_id, f.name, f.content_type, f.size, f.sha256, f.created_at
     FROM stored_file f JOIN job j ON j.owner_id = f.owner_id
     WHERE j.id = $1 AND f.id = $2`,
    [jobId, fileId],
  );
  return rows[0] && recordOf(rows[0]);
}

/** A file by id, for callers that check ownership themselves (the API's owner scope). */
export async function findFile(pool: pg.Pool, fileId: string): Promise<StoredFileRecord | undefined> {
  const { rows } = await pool.query<FileRow>(`SELECT ${fileColumns} FROM stored_file WHERE id = $1`, [fileId]);
  return rows[0] && recordOf(rows[0]);
}

/**
 * The file's bytes, chunk by chunk, one query per chunk (no transaction held open while a handler
 * works). The next chunk is fetched while the caller handles the current one. A file deleted
 * midway is an error, never a silently shorter file.
 */
export async function* readFileChunks(pool: pg.Pool, file: Pick<StoredFileRecord, 'id' | 'size'>): AsyncGenerator<Uint8Array> {
  const fetchChunk = async (seq: number): Promise<Uint8Array | undefined> => {
    const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM file_chunk WHERE file_id = $1 AND seq = $2', [
      file.id,
      seq,
    ]);
    return rows[0]?.data;
  };
  let bytesRead = 0;
  let next = fetchChunk(0);
  try {
    for (let seq = 1; ; seq += 1) {
      const chunk = await next;
      if (!chunk) break;
      next = fetchChunk(seq);
      bytesRead += chunk.length;
      yield chunk;
    }
  } finally {
    // A reader that stops early leaves a fetch in flight; its failure must not go unhandled.
    next.catch(() => undefined);
  }
  if (bytesRead !== file.size) {
    throw new Error(`File ${file.id} ended after ${bytesRead} of ${file.size} bytes: it was deleted while being read`);
  }
}
