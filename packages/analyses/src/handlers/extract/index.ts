import { extractDocx } from './docx.ts';
import { extractPdf } from './pdf.ts';
import { decodeUtf8 } from './plain-text.ts';
import type { ExtractedDocument, ExtractOptions } from './types.ts';

export type { ExtractedDocument, ExtractOptions } from './types.ts';
export { maxDocxXmlBytes } from './docx.ts';

export const extractableContentTypes = [
  'text/plain',
  'text/markdown',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
] as const;

export type ExtractableContentType = (typeof extractableContentTypes)[number];

export function isExtractableContentType(contentType: string): contentType is ExtractableContentType {
  return extractableContentTypes.some((extractable) => extractable === contentType);
}

/**
 * The text of an uploaded document, for the document analysis: Markdown headings where the
 * format has them (DOCX heading styles, larger type in a PDF), paragraphs separated by blank lines.
 *
 * A file that cannot be read (invalid UTF-8, a damaged, password-protected or scanned PDF, a
 * damaged DOCX) fails with a JobFailure that is not retryable and says what to do about it.
 */
export async function extractText(
  bytes: Uint8Array,
  contentType: ExtractableContentType,
  options: ExtractOptions,
): Promise<ExtractedDocument> {
  options.signal.throwIfAborted();
  switch (contentType) {
    case 'text/plain':
    case 'text/markdown':
      return { text: decodeUtf8(bytes) };
    case 'application/pdf':
      return extractPdf(bytes, options);
    case 'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
      return extractDocx(bytes, options);
  }
}
