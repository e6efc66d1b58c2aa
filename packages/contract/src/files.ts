import { z } from 'zod';

/**
 * The file types the system accepts, by the content type the upload check assigns: binary formats
 * by their magic bytes, text formats when the content is UTF-8 text (the name's extension then
 * tells CSV from Markdown from plain text).
 */
export const fileTypes = {
  pdf: { contentType: 'application/pdf', label: 'PDF', extensions: ['.pdf'] },
  docx: {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'Word (DOCX)',
    extensions: ['.docx'],
  },
  xlsx: {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    label: 'Excel (XLSX)',
    extensions: ['.xlsx'],
  },
  csv: { contentType: 'text/csv', label: 'CSV', extensions: ['.csv', '.tsv'] },
  markdown: { contentType: 'text/markdown', label: 'Markdown', extensions: ['.md', '.markdown'] },
  vtt: { contentType: 'text/vtt', label: 'WebVTT', extensions: ['.vtt'] },
  srt: { contentType: 'application/x-subrip', label: 'SubRip (SRT)', extensions: ['.srt'] },
  text: { contentType: 'text/plain', label: 'plain text', extensions: ['.txt'] },
} as const;

export type FileTypeName = keyof typeof fileTypes;
export type FileContentType = (typeof fileTypes)[FileTypeName]['contentType'];

export function fileTypeByContentType(contentType: string): (typeof fileTypes)[FileTypeName] | undefined {
  return Object.values(fileTypes).find((type) => type.contentType === contentType);
}

/** A file a job wrote, as its result refers to it; it downloads at `/files/:fileId`. */
export const storedFileSchema = z.object({
  fileId: z.uuid(),
  name: z.string(),
  size: z.int(),
  contentType: z.string(),
});
export type StoredFile = z.infer<typeof storedFileSchema>;

/** Where a file downloads: same origin, checked against the caller's session or token. */
export function fileDownloadPath(fileId: string): string {
  return `/files/${encodeURIComponent(fileId)}`;
}
