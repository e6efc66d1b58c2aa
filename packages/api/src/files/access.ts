import { findFile, readFileChunks, type StoredFileRecord } from '@jobkit/files';
import { type Database } from '@jobkit/db';
import { fileTypeByContentType, fileTypes, type JobContract } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Actor } from '../context.ts';

function notFound(fileId: string): TRPCError {
  return new TRPCError({
    code: 'NOT_FOUND',
    message: `No file ${fileId}. Uploads no job used are kept for 24 hours; a job's files go with the job.`,
  });
}

/**
 * A file the actor may read: their own, or any for an admin. Another user's file is NOT_FOUND,
 * like another user's job, so ids reveal nothing.
 */
export async function findVisibleFile(db: Database, actor: Actor, fileId: string): Promise<StoredFileRecord> {
  const file = z.uuid().safeParse(fileId).success ? await findFile(db.pool, fileId) : undefined;
  if (!file || (actor.role !== 'admin' && file.ownerId !== actor.userId)) throw notFound(fileId);
  return file;
}

/** The file's metadata and its bytes as a stream, for the download route. */
export async function openDownload(db: Database, actor: Actor, fileId: string) {
  const file = await findVisibleFile(db, actor, fileId);
  return { file, content: readFileChunks(db.pool, file) };
}

/**
 * The uploads a start refers to (the kind's `fileInputs`), checked: they must be the caller's own
 * (a job reads its owner's files only, admins included) and of a type the kind reads.
 */
export async function inputFilesOf(db: Database, actor: Actor, contract: JobContract, input: unknown): Promise<string[]> {
  if (typeof input !== 'object' || input === null) return [];
  const fileIds: string[] = [];
  for (const [field, value] of Object.entries(input)) {
    const accepts = Object.hasOwn(contract.fileInputs, field) ? contract.fileInputs[field] : undefined;
    if (accepts === undefined || typeof value !== 'string') continue;
    const file = await findFile(db.pool, value);
    if (!file || file.ownerId !== actor.userId) throw notFound(value);
    const type = fileTypeByContentType(file.contentType);
    if (!accepts.some((name) => fileTypes[name].contentType === file.contentType)) {
      const wanted = accepts.map((name) => fileTypes[name].label).join(', ');
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `${contract.title} reads ${wanted} files; ${file.name} is ${type?.label ?? file.contentType}.`,
      });
    }
    fileIds.push(file.id);
  }
  return fileIds;
}
