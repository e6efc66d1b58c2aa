import { createHash } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

/**
 * Writing a file without holding a connection or a transaction while its bytes arrive: the
 * `stored_file` row is inserted staged (`staged_at` set, invisible to readers), each 1 MiB chunk
 * commits on its own in one short statement, and one guarded statement publishes the file. A
 * write that fails, or is refused, deletes its staged row at once; one whose process died is
 * deleted by the sweep once its `staged_at` is older than the queue's `staleStagedFileMs`.
 */
export const fileChunkBytes = 1024 * 1024;

/** How often a staged file that is still being written says so (a chunk may take long to arrive). */
export const stagedFileTouchMs = 60_000;

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes`);
  }
}

/** The owner's files (published and staged) would pass their storage quota with this chunk. */
export class StorageQuotaError extends Error {
  override name = 'StorageQuotaError';
  constructor(
    readonly quotaBytes: number,
    readonly usedBytes: number,
  ) {
    super(`The owner's files use ${usedBytes} of ${quotaBytes} bytes`);
  }
}

export interface NewFile {
  ownerId: string;
  name: string;
  contentType: string;
}

export interface StagingLimits {
  maxBytes: number;
  /** The most bytes all of the owner's files may take, counted as the chunks come; 0 for no quota. */
  quotaBytes?: number | undefined;
}

/** Cuts a byte stream into pieces of exactly `size` bytes (the last one shorter), holding only what arrived. */
export async function* rechunk(source: AsyncIterable<Uint8Array> | Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const input: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const piece of input) {
    pending.push(piece);
    pendingBytes += piece.length;
    while (pendingBytes >= size) {
      // A single piece (a big buffer, or what is left of one) is cut without copying it again.
      const [only] = pending;
      const joined = pending.length === 1 && only ? only : Buffer.concat(pending, pendingBytes);
      yield joined.subarray(0, size);
      pending = pendingBytes > size ? [joined.subarray(size)] : [];
      pendingBytes -= size;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** The bytes of `content`, refused as soon as they pass `maxBytes` (not a chunk later). */
async function* refusedPast(content: AsyncIterable<Uint8Array> | Uint8Array, maxBytes: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const piece of content instanceof Uint8Array ? [content] : content) {
    size += piece.length;
    if (size > maxBytes) throw new FileTooLargeError(maxBytes);
    yield piece;
  }
}

// The chunk goes in only while its file is still staged (the sweep or a failed write may have
// deleted it); the file's size grows with it, which is what the quota counts.
const appendChunkSql = `
WITH staged AS (
  UPDATE stored_file SET size = size + length($3::bytea), staged_at = now()
  WHERE id = $1 AND staged_at IS NOT NULL
  RETURNING id
)
INSERT INTO file_chunk (file_id, seq, data) SELECT id, $2, $3 FROM staged`;

// One advisory lock class for "the storage quota of one owner" (the second key is the owner).
const quotaLockClass = 72_707_371;

export interface StagedFile {
  id: string;
  size: number;
  sha256: string;
}

async function appendChunk(pool: pg.Pool, file: { id: string; ownerId: string }, seq: number, chunk: Uint8Array, quotaBytes: number) {
  if (quotaBytes <= 0) {
    const { rowCount } = await pool.query(appendChunkSql, [file.id, seq, chunk]);
    return rowCount === 1;
  }
  // The owner's chunks are counted and added under one lock, in a transaction of two short
  // statements (the sum must see what the lock's last holder committed), so concurrent uploads
  // cannot pass the quota together.
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [quotaLockClass, file.ownerId]);
    const { rows } = await client.query<{ used: string }>('SELECT coalesce(sum(size), 0) AS used FROM stored_file WHERE owner_id = $1', [
      file.ownerId,
    ]);
    const used = Number(rows[0]?.used ?? 0);
    // The error counts the owner's other files: this one's chunks so far go with it.
    if (used + chunk.length > quotaBytes) throw new StorageQuotaError(quotaBytes, used - seq * fileChunkBytes);
    const { rowCount } = await client.query(appendChunkSql, [file.id, seq, chunk]);
    await client.query('COMMIT');
    return rowCount === 1;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Deletes a staged file (its chunks go with it); a published one is never touched. */
export async function discardStagedFile(pool: pg.Pool, fileId: string): Promise<void> {
  await pool.query('DELETE FROM stored_file WHERE id = $1 AND staged_at IS NOT NULL', [fileId]);
}

/**
 * Writes `content` as a staged file and returns it, still staged: the caller publishes it (one
 * statement) or discards it. On any failure the staged row is already gone.
 */
export async function stageFile(
  pool: pg.Pool,
  file: NewFile,
  content: AsyncIterable<Uint8Array> | Uint8Array,
  limits: StagingLimits,
): Promise<StagedFile> {
  const id = uuidv7();
  await pool.query(
    `INSERT INTO stored_file (id, owner_id, name, content_type, size, sha256, staged_at) VALUES ($1, $2, $3, $4, 0, '', now())`,
    [id, file.ownerId, file.name, file.contentType],
  );
  const touch = setInterval(() => {
    pool.query('UPDATE stored_file SET staged_at = now() WHERE id = $1 AND staged_at IS NOT NULL', [id]).catch(() => undefined);
  }, stagedFileTouchMs);
  touch.unref();
  try {
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    for await (const chunk of rechunk(refusedPast(content, limits.maxBytes), fileChunkBytes)) {
      size += chunk.length;
      hash.update(chunk);
      if (!(await appendChunk(pool, { id, ownerId: file.ownerId }, seq, chunk, limits.quotaBytes ?? 0))) {
        throw new Error(`Staged file ${id} was deleted while it was written`);
      }
      seq += 1;
    }
    return { id, size, sha256: hash.digest('hex') };
  } catch (error) {
    await discardStagedFile(pool, id).catch(() => undefined);
    throw error;
  } finally {
    clearInterval(touch);
  }
}
