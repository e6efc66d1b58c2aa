import { fileTypes, type FileTypeName } from '@jobkit/jobs';
import { fileTypeFromBuffer } from 'file-type';
import { extname } from 'node:path';

/** Enough of the start of a file to tell its type: magic bytes, and the zip directory of DOCX/XLSX. */
export const sampleBytes = 64 * 1024;

export type ContentVerdict = { ok: true; type: FileTypeName } | { ok: false; reason: string };

const accepted = Object.values(fileTypes)
  .map((type) => type.label)
  .join(', ');

const textTypeByExtension = new Map<string, FileTypeName>(
  (['csv', 'markdown', 'vtt', 'srt', 'text'] as const).flatMap((name) => fileTypes[name].extensions.map((ext) => [ext, name] as const)),
);

/** UTF-8 text without NUL bytes: what a text file is. A character cut at the sample's end is fine. */
function isUtf8Text(sample: Uint8Array): boolean {
  if (sample.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides a file's type from its content; the name only tells text formats apart (CSV, Markdown,
 * subtitles, plain text), once the content is known to be text. A PNG named `data.csv` is refused.
 */
export async function detectFileType(sample: Uint8Array, fileName: string): Promise<ContentVerdict> {
  const detected = await fileTypeFromBuffer(sample);
  if (detected) {
    const known = (['pdf', 'docx', 'xlsx'] as const).find((name) => fileTypes[name].contentType === detected.mime);
    if (known) return { ok: true, type: known };
    return { ok: false, reason: `This file is ${detected.mime} (.${detected.ext}); accepted: ${accepted}.` };
  }
  if (sample.length === 0) return { ok: false, reason: 'The file is empty.' };
  if (!isUtf8Text(sample)) {
    return { ok: false, reason: `This file is neither a known document type nor UTF-8 text; accepted: ${accepted}.` };
  }
  return { ok: true, type: textTypeByExtension.get(extname(fileName).toLowerCase()) ?? 'text' };
}
