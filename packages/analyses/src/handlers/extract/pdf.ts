import { createRequire } from 'node:module';
import path from 'node:path';
import type * as PdfJs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { JobFailure } from '@jobkit/worker';
import { linesOf, markdownOfPages, type PlacedText, type TextLine } from './pdf-layout.ts';
import { withoutRunningLines } from './pdf-running-lines.ts';
import type { ExtractedDocument, ExtractOptions } from './types.ts';

type PdfDocument = Awaited<ReturnType<typeof PdfJs.getDocument>['promise']>;
type PdfMetadata = Awaited<ReturnType<PdfDocument['getMetadata']>>['metadata'];
type TextContentItem = Awaited<ReturnType<Awaited<ReturnType<PdfDocument['getPage']>>['getTextContent']>>['items'][number];

let pdfjs: Promise<typeof PdfJs> | undefined;

/**
 * Loaded on the first PDF, not with the handlers: importing pdf.js loads the native
 * @napi-rs/canvas module and sets DOMMatrix, Path2D and navigator on the thread's globals.
 * The legacy build is the one that runs on Node 20 (the modern build needs DOMMatrix up front).
 */
function loadPdfJs(): Promise<typeof PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

/** pdf.js reads these folders with `fs` in Node and insists on a trailing slash. */
function pdfjsAssetFolder(name: 'cmaps' | 'standard_fonts'): string {
  const root = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return `${path.join(root, name)}/`;
}

export async function extractPdf(bytes: Uint8Array, { signal, onPage }: ExtractOptions): Promise<ExtractedDocument> {
  signal.throwIfAborted();
  const { getDocument, VerbosityLevel } = await loadPdfJs();
  // No workerSrc to set: in Node, pdf.js parses on the calling thread ("fake worker"), which is
  // what a handler thread wants anyway.
  const loading = getDocument({
    // pdf.js detaches the buffer it is given and refuses a Node Buffer; a copy spares the caller both.
    data: new Uint8Array(bytes),
    // Text only: no fonts to turn into code (eval) or to load as font faces.
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    // Text in the 14 standard fonts and in CJK fonts without embedded character maps needs these.
    standardFontDataUrl: pdfjsAssetFolder('standard_fonts'),
    cMapUrl: pdfjsAssetFolder('cmaps'),
    cMapPacked: true,
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    const document = await loading.promise.catch((error: unknown) => {
      throw unreadablePdf(error);
    });
    const pageCount = document.numPages;
    const pages: TextLine[][] = [];
    for (let pageNumber = 1; pageNumber <= pageCount; pageNumber++) {
      signal.throwIfAborted();
      pages.push(await pageLines(document, pageNumber));
      onPage?.(pageNumber, pageCount);
    }
    const text = markdownOfPages(withoutRunningLines(pages));
    if (!/[\p{L}\p{N}]/u.test(text)) {
      throw new JobFailure(
        'PDF_HAS_NO_TEXT',
        `This PDF has no text layer: its ${pageCount === 1 ? 'page is an image' : `${pageCount} pages are images`}, as in a scanned document. ` +
          'Scanned PDFs have no text to analyse and OCR is not supported; upload a PDF exported from the original document, or run OCR on it first.',
        { retryable: false },
      );
    }
    const title = await titleOf(document);
    return { text, pageCount, ...(title ? { title } : {}) };
  } finally {
    await loading.destroy();
  }
}

async function pageLines(document: PdfDocument, pageNumber: number): Promise<TextLine[]> {
  try {
    const page = await document.getPage(pageNumber);
    const content = await page.getTextContent();
    // Only the lines are kept, so a long PDF costs its text, not pdf.js's objects for every page.
    page.cleanup();
    return linesOf(content.items.flatMap(placedText));
  } catch (error) {
    throw new JobFailure('UNREADABLE_PDF', `Page ${pageNumber} of this PDF cannot be read: ${reasonOf(error)}.`, {
      retryable: false,
      cause: error,
    });
  }
}

function placedText(item: TextContentItem): PlacedText[] {
  if (!('str' in item)) return [];
  // transform is [a, b, c, d, x, y]: |(c, d)| is the font size, even in rotated text.
  const transform: readonly unknown[] = item.transform;
  const at = (index: number) => {
    const value = transform[index];
    return typeof value === 'number' ? value : 0;
  };
  return [
    { text: item.str, x: at(4), y: at(5), width: item.width, fontSize: Math.hypot(at(2), at(3)), endsLine: item.hasEOL },
  ];
}

function unreadablePdf(error: unknown): JobFailure {
  if (error instanceof Error && error.name === 'PasswordException') {
    return new JobFailure(
      'PDF_PASSWORD_PROTECTED',
      'This PDF is password-protected, so its text cannot be read. Remove the password (open it and save or print it as a new PDF) and upload it again.',
      { retryable: false, cause: error },
    );
  }
  return new JobFailure('UNREADABLE_PDF', `This file is not a readable PDF: ${reasonOf(error)}. It may be damaged or incomplete.`, {
    retryable: false,
    cause: error,
  });
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\.$/, '') || 'unknown error';
}

/** The title in the document's metadata; Info first, the XMP `dc:title` when Info has none. */
async function titleOf(document: PdfDocument): Promise<string | undefined> {
  // pdf.js types `metadata` as always there; a PDF without XMP gets null.
  const { info, metadata }: { info: object; metadata: PdfMetadata | null } = await document
    .getMetadata()
    .catch(() => ({ info: {}, metadata: null }));
  const infoTitle = 'Title' in info && typeof info.Title === 'string' ? info.Title.trim() : '';
  // Typed `any` by pdf.js.
  const xmpTitle: unknown = metadata?.get('dc:title');
  return infoTitle || (typeof xmpTitle === 'string' ? xmpTitle.trim() : '') || undefined;
}
