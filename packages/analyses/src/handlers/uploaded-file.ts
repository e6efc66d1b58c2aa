import { JobFailure, type HandlerFiles, type StoredFileInfo } from '@jobkit/worker';
import { decodeUtf8 } from './extract/plain-text.ts';

/**
 * A whole uploaded file, for formats read at once (PDF, DOCX, text): refused above `maxBytes`
 * before any byte is read, since the whole file will sit in memory.
 */
export async function readWholeFile(
  files: HandlerFiles,
  fileId: string,
  maxBytes: number,
): Promise<{ file: StoredFileInfo; bytes: Uint8Array }> {
  const file = await files.info(fileId);
  if (file.size > maxBytes) {
    throw new JobFailure('FILE_TOO_LARGE', `${file.name} is over ${Math.round(maxBytes / 1024 / 1024)} MB, the most this analysis reads.`, {
      retryable: false,
    });
  }
  const parts: Uint8Array[] = [];
  for await (const part of files.read(fileId)) parts.push(part);
  return { file, bytes: Buffer.concat(parts) };
}

/** An uploaded text file as a string (UTF-8 checked), refused past `maxCharacters`. */
export async function readTextFile(files: HandlerFiles, fileId: string, maxCharacters: number): Promise<string> {
  // UTF-8 takes at most 4 bytes a character.
  const { file, bytes } = await readWholeFile(files, fileId, maxCharacters * 4);
  const text = decodeUtf8(bytes);
  if (text.length > maxCharacters) {
    throw new JobFailure(
      'TEXT_TOO_LONG',
      `${file.name} holds ${text.length.toLocaleString('en-US')} characters; the most is ${maxCharacters.toLocaleString('en-US')}.`,
      { retryable: false },
    );
  }
  return text;
}
