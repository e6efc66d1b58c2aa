import { findFileForJob, readFileChunks, storeJobOutputFile, type StoredFileRecord } from '@jobkit/files';
import { type AttemptRef } from '@jobkit/queue';
import { type Database } from '@jobkit/db';
import { JobFailure, type HandlerFiles, type StoredFileInfo } from './handler.ts';

/** Reports and other files a job writes: far below any upload, but bounded all the same. */
export const maxOutputFileBytes = 256 * 1024 * 1024;

function infoOf(file: StoredFileRecord): StoredFileInfo {
  return { id: file.id, name: file.name, contentType: file.contentType, size: file.size };
}

/**
 * The files capability of one attempt: only files of the job's owner can be read, and files
 * written are linked to the job only while this attempt holds it.
 */
export function jobFiles(pool: Database['pool'], ref: AttemptRef): HandlerFiles {
  const find = async (fileId: string): Promise<StoredFileRecord> => {
    const file = await findFileForJob(pool, ref.jobId, fileId);
    if (!file) {
      throw new JobFailure('FILE_NOT_FOUND', 'The uploaded file is gone: it was deleted or never belonged to this job’s owner.', {
        retryable: false,
      });
    }
    return file;
  };
  return {
    async info(fileId) {
      return infoOf(await find(fileId));
    },
    async *read(fileId, options) {
      yield* readFileChunks(pool, await find(fileId), options);
    },
    async write(file, content) {
      return infoOf(await storeJobOutputFile(pool, ref, file, content, { maxBytes: maxOutputFileBytes }));
    },
  };
}
