import type MammothModule from 'mammoth';
import { JobFailure } from '@jobkit/worker';
import { markdownOfMammothHtml, titleClass } from './docx-markdown.ts';
import type { ExtractedDocument, ExtractOptions } from './types.ts';
import { unpackedSize, ZipFormatError, zipEntries } from './zip-parts.ts';

/**
 * mammoth holds a document's XML as a DOM and then as its own model: about 80 bytes of memory per
 * byte of XML (a 33 MB document.xml peaked at 2.7 GB and took 16 s). Past this much XML, a file is
 * refused before it is parsed; that is still well over a thousand pages of formatted text.
 */
export const maxDocxXmlBytes = 16 * 1024 * 1024;

let mammoth: Promise<typeof MammothModule> | undefined;

/** Loaded on the first DOCX, so threads that never see one do not pay for it. */
function loadMammoth(): Promise<typeof MammothModule> {
  mammoth ??= import('mammoth').then((module) => module.default);
  return mammoth;
}

const styleMap = [
  // Word's Title style is no heading to mammoth; the analysis wants it as the first `#` line.
  `p[style-name='Title'] => h1.${titleClass}:fresh`,
];

export async function extractDocx(bytes: Uint8Array, { signal }: ExtractOptions): Promise<ExtractedDocument> {
  signal.throwIfAborted();
  checkUnpackedSize(bytes);
  const { convertToHtml, images } = await loadMammoth();
  let html: string;
  try {
    const result = await convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      {
        styleMap,
        // The default inlines every image as base64 into the HTML: megabytes of text nobody reads.
        convertImage: images.imgElement(() => Promise.resolve({ src: '' })),
      },
    );
    html = result.value;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new JobFailure('UNREADABLE_DOCX', `This file is not a readable Word document (DOCX): ${reason}`, {
      retryable: false,
      cause: error,
    });
  }
  signal.throwIfAborted();
  return markdownOfMammothHtml(html);
}

/** Office's encrypted documents (and old .doc files) are OLE compound files, not ZIP archives. */
const compoundFileSignature = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function checkUnpackedSize(bytes: Uint8Array): void {
  if (compoundFileSignature.every((byte, index) => bytes[index] === byte)) {
    throw new JobFailure(
      'UNREADABLE_DOCX',
      'This Word document is password-protected or in the old .doc format, so its text cannot be read. ' +
        'Open it in Word, remove the password if it has one, save it as .docx and upload it again.',
      { retryable: false },
    );
  }
  let size: number;
  try {
    // Only the XML parts: images are never unpacked.
    const xmlParts = zipEntries(bytes).filter((entry) => /\.(?:xml|rels)$/i.test(entry.name));
    size = unpackedSize(bytes, xmlParts, maxDocxXmlBytes);
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    throw new JobFailure('UNREADABLE_DOCX', `This file is not a readable Word document (DOCX): ${error.message}.`, {
      retryable: false,
      cause: error,
    });
  }
  if (size > maxDocxXmlBytes) {
    throw new JobFailure(
      'DOCUMENT_TOO_LARGE',
      `This Word document is too large to read: its text and formatting unpack to more than ${maxDocxXmlBytes / 1024 / 1024} MB. ` +
        'Split it into smaller documents, or save it as PDF, and upload it again.',
      { retryable: false },
    );
  }
}
