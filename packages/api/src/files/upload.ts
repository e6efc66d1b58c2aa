import { FileTooLargeError, storeFile, type Database } from '@jobkit/db';
import { fileTypes, type StoredFile } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import type { Actor } from '../context.ts';
import { detectFileType, sampleBytes } from './content-type.ts';

/** Reads the first `size` bytes (fewer if the stream ends), and hands back a stream of everything. */
async function peek(
  source: AsyncIterable<Uint8Array>,
  size: number,
): Promise<{ sample: Uint8Array; content: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
  }
  const sample = Buffer.concat(head).subarray(0, size);
  async function* content(): AsyncGenerator<Uint8Array> {
    yield* head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { sample, content: content() };
}

/** A name safe to show and to put in a download header: no path, no control characters, bounded. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(-200);
  return clean.length > 0 ? clean : 'upload';
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/**
 * Stores an upload for its owner after checking its type from the content. Nothing is kept from an
 * upload that is refused or breaks off.
 */
export async function uploadFile(
  db: Database,
  actor: Actor,
  upload: { fileName: string; content: AsyncIterable<Uint8Array> },
  maxBytes: number,
): Promise<StoredFile> {
  const name = cleanFileName(upload.fileName);
  const { sample, content } = await peek(upload.content, sampleBytes);
  const verdict = await detectFileType(sample, name);
  if (!verdict.ok) throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `${name}: ${verdict.reason}` });
  const { contentType } = fileTypes[verdict.type];
  try {
    const file = await storeFile(db.pool, { ownerId: actor.userId, name, contentType }, content, { maxBytes });
    return { fileId: file.id, name: file.name, size: file.size, contentType: file.contentType };
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `${name} is larger than the ${megabytes(maxBytes)} upload limit.` });
    }
    throw error;
  }
}
