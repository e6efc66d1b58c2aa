import { FileTooLargeError, StorageQuotaError, storeFile } from '@jobkit/files';
import { type Database } from '@jobkit/db';
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
  return `${Math.round(bytes / (1024 * 1024)).toLocaleString('en-US')} MB`;
}

export interface UploadLimits {
  maxBytes: number;
  /** The most all of the owner's files may take; 0 for no quota. */
  quotaBytes: number;
}

/**
 * Stores an upload for its owner after checking its type from the content, on `pool` (the
 * uploads' own, so they cannot take the API's connections). Nothing is kept from an upload that
 * is refused or breaks off.
 */
export async function uploadFile(
  pool: Database['pool'],
  actor: Actor,
  upload: { fileName: string; content: AsyncIterable<Uint8Array> },
  limits: UploadLimits,
): Promise<StoredFile> {
  const name = cleanFileName(upload.fileName);
  const { sample, content } = await peek(upload.content, sampleBytes);
  const verdict = await detectFileType(sample, name);
  if (!verdict.ok) throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `${name}: ${verdict.reason}` });
  const { contentType } = fileTypes[verdict.type];
  try {
    const file = await storeFile(pool, { ownerId: actor.userId, name, contentType }, content, limits);
    return { fileId: file.id, name: file.name, size: file.size, contentType: file.contentType };
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `${name} is larger than the ${megabytes(limits.maxBytes)} upload limit.` });
    }
    if (error instanceof StorageQuotaError) {
      throw new TRPCError({
        code: 'PAYLOAD_TOO_LARGE',
        message:
          `${name} does not fit in your storage: your files already use ${megabytes(error.usedBytes)} of your ${megabytes(error.quotaBytes)}. ` +
          'Files go with the jobs that used them when those expire, and uploads no job used after 24 hours; ' +
          'wait for that, or ask an administrator to raise MAX_STORAGE_MB_PER_USER.',
      });
    }
    throw error;
  }
}

/**
 * At most `perUser` uploads in progress per user in this process (0: no limit): each holds up to
 * a chunk (1 MiB) in memory while it arrives, so one user cannot hold many.
 */
export class UploadSlots {
  private readonly inProgress = new Map<string, number>();

  constructor(private readonly perUser: number) {}

  /** Takes a slot for `userId`; call the returned function when the upload has ended. */
  take(userId: string): () => void {
    const count = this.inProgress.get(userId) ?? 0;
    if (this.perUser > 0 && count >= this.perUser) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `You have ${count} uploads in progress, the most at once; send this one when one of them has finished.`,
      });
    }
    this.inProgress.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inProgress.get(userId) ?? 1) - 1;
      if (left > 0) this.inProgress.set(userId, left);
      else this.inProgress.delete(userId);
    };
  }
}
