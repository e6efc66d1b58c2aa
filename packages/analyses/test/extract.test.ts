import { describe, expect, it } from 'vitest';
import { JobFailure } from '@jobkit/worker';
import {
  type ExtractableContentType,
  type ExtractedDocument,
  extractText,
  isExtractableContentType,
  maxDocxXmlBytes,
} from '../src/handlers/extract/index.ts';
import { findEntities, outlineOf } from '../src/handlers/text/document-facts.ts';
import { agreementDocx } from './fixtures/documents/docx.ts';
import { agreementPdf, imageOnlyPdf, passwordProtectedPdf } from './fixtures/documents/pdfs.ts';
import { zipOf } from './fixtures/documents/zip.ts';

const pdf = 'application/pdf';
const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function extract(
  bytes: Uint8Array,
  contentType: ExtractableContentType,
  onPage?: (done: number, total: number) => void,
): Promise<ExtractedDocument> {
  return extractText(bytes, contentType, { signal: new AbortController().signal, ...(onPage ? { onPage } : {}) });
}

/** The JobFailure the extraction fails with; every one of them is final, never retried. */
async function failureOf(extraction: Promise<ExtractedDocument>): Promise<JobFailure> {
  const error: unknown = await extraction.then(
    () => new Error('the extraction succeeded'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof JobFailure)) throw new Error(`expected a JobFailure, got ${String(error)}`);
  expect(error.retryable).toBe(false);
  return error;
}

const bytesOf = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part)] : part)));

describe('plain text and Markdown', () => {
  it('decodes UTF-8 without its BOM and with \\n line endings', async () => {
    const bytes = bytesOf([0xef, 0xbb, 0xbf], '# Notes\r\n\r\nCafé costs 3 €.\rEnd\r\n');
    expect(await extract(bytes, 'text/markdown')).toEqual({ text: '# Notes\n\nCafé costs 3 €.\nEnd\n' });
    expect(await extract(bytesOf('plain'), 'text/plain')).toEqual({ text: 'plain' });
  });

  it('refuses text that is not UTF-8, saying where the first bad byte is', async () => {
    // "Café" saved as Latin-1: é is the single byte 0xE9.
    const failure = await failureOf(extract(bytesOf('Menu\nCaf', [0xe9], ' au lait\n'), 'text/plain'));
    expect(failure.code).toBe('INVALID_TEXT_ENCODING');
    expect(failure.message).toBe(
      'This text file is not valid UTF-8: the byte at line 2, right after "Caf" (byte 9 of the file) is not UTF-8. ' +
        'It was probably saved in another encoding, such as Windows-1252 or Latin-1. Save it as UTF-8 and upload it again.',
    );
    const atStart = await failureOf(extract(bytesOf([0x80], 'abc'), 'text/plain'));
    expect(atStart.message).toContain('the byte at the start of line 1 (byte 1 of the file)');
    const utf16 = await failureOf(extract(bytesOf([0xff, 0xfe], 'h\0i\0'), 'text/plain'));
    expect(utf16.code).toBe('INVALID_TEXT_ENCODING');
    expect(utf16.message).toContain('saved as UTF-16');
  });

  it('knows which content types it reads', () => {
    expect(isExtractableContentType('application/pdf')).toBe(true);
    expect(isExtractableContentType(docx)).toBe(true);
    expect(isExtractableContentType('image/png')).toBe(false);
  });
});

const agreementText = [
  '# Service Agreement',
  'Northwind Analytics Ltd and Contoso Retail plc agree on the monthly sales report service described below.',
  'This agreement is made on March 3, 2026 between Northwind Analytics Ltd, the supplier, and Contoso Retail plc, the customer. It replaces every earlier agreement between them about the monthly sales report.',
  '## 1. Scope',
  'The supplier delivers the monthly sales report to the customer before the fifth working day of each month. Each report covers every store of the customer and compares the month with the same month of the previous year.',
  'Questions about a report go to billing@example.com.',
  '## 2. Fees',
  '### 2.1 Payment terms',
  'The customer pays a fee of $12,500.00 per quarter, invoiced in advance, and a one-time setup fee of 3,000 EUR.',
  '## 3. Termination',
  'Either party may end this agreement with 30 days written notice, effective no earlier than 15 January 2027. Reports already paid for are still delivered.',
  'The notice is given in writing and must state each of the following:',
  '- the date on which the agreement ends, which must be the last day of a calendar month, together with the name and the role of the person who gives the notice,',
  '- the reports still to be delivered and the date each of them is due.',
  'Signed for the supplier: Jane Doe',
  'Signed for the customer: John Smith',
].join('\n\n');

describe('PDF', () => {
  it('rebuilds headings by size, paragraphs (large type too), list items and hyphenated words, without page footers', async () => {
    const pages: [number, number][] = [];
    const result = await extract(await agreementPdf(), pdf, (done, total) => pages.push([done, total]));
    expect(result).toEqual({ text: agreementText, pageCount: 3, title: 'Service Agreement 2026' });
    expect(pages).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('gives the document analysis its outline, dates, amounts and email', async () => {
    const { text } = await extract(await agreementPdf(), pdf);
    expect(outlineOf(text)).toEqual([
      { level: 1, title: 'Service Agreement' },
      { level: 2, title: '1. Scope' },
      { level: 2, title: '2. Fees' },
      { level: 3, title: '2.1 Payment terms' },
      { level: 2, title: '3. Termination' },
    ]);
    const entities = findEntities(text, new Date('2026-01-01'));
    expect(entities.emails).toEqual(['billing@example.com']);
    expect(entities.amounts).toEqual(['$12,500.00', '3,000 EUR']);
    expect(entities.dates.map((date) => date.date)).toEqual(expect.arrayContaining(['2026-03-03', '2027-01-15']));
  });

  it("leaves the caller's bytes usable and takes a Node Buffer as well", async () => {
    const bytes = await agreementPdf();
    const size = bytes.byteLength;
    await extract(bytes, pdf);
    expect(bytes.byteLength).toBe(size);
    expect((await extract(Buffer.from(bytes), pdf)).text).toBe(agreementText);
  });

  it('stops between pages once the signal is aborted', async () => {
    const controller = new AbortController();
    const pagesDone: number[] = [];
    const extraction = extractText(await agreementPdf(), pdf, {
      signal: controller.signal,
      onPage: (done) => {
        pagesDone.push(done);
        controller.abort(new Error('cancelled'));
      },
    });
    await expect(extraction).rejects.toThrow('cancelled');
    expect(pagesDone).toEqual([1]);
  });

  it('refuses bytes that are not a PDF, or only the start of one', async () => {
    const garbage = await failureOf(extract(bytesOf('Just some text, no PDF here.'), pdf));
    expect(garbage.code).toBe('UNREADABLE_PDF');
    expect(garbage.message).toBe('This file is not a readable PDF: Invalid PDF structure. It may be damaged or incomplete.');
    const truncated = await failureOf(extract((await agreementPdf()).subarray(0, 400), pdf));
    expect(truncated.code).toBe('UNREADABLE_PDF');
    const empty = await failureOf(extract(new Uint8Array(), pdf));
    expect(empty.message).toContain('The PDF file is empty');
  });

  it('says so when the PDF needs a password', async () => {
    const failure = await failureOf(extract(await passwordProtectedPdf(), pdf));
    expect(failure.code).toBe('PDF_PASSWORD_PROTECTED');
    expect(failure.message).toMatch(/^This PDF is password-protected, so its text cannot be read\. Remove the password/);
  });

  it('explains that a PDF without a text layer is a scan, and OCR is not supported', async () => {
    const failure = await failureOf(extract(await imageOnlyPdf(), pdf));
    expect(failure.code).toBe('PDF_HAS_NO_TEXT');
    expect(failure.message).toContain('This PDF has no text layer: its 2 pages are images, as in a scanned document.');
    expect(failure.message).toContain('OCR is not supported');
  });
});

describe('DOCX', () => {
  it('turns Title and heading styles into # lines, lists into items, tables into rows and footnotes into notes', async () => {
    const result = await extract(await agreementDocx(), docx);
    expect(result.title).toBe('Service Agreement');
    expect(result.text.split('\n')).toEqual([
      '# Service Agreement',
      '',
      'This agreement is made on March 3, 2026 between Northwind Analytics Ltd and Contoso Retail plc.',
      '',
      '# Scope',
      '',
      'The supplier delivers the monthly sales report to the customer. Questions go to billing@example.com[1]',
      '',
      '## Deliverables',
      '',
      '- A monthly report',
      '- A quarterly review',
      '  - Held online',
      '',
      '1) Sign the agreement',
      '2) Pay the setup fee',
      '',
      '# Fees & payment',
      '',
      'Item | Amount',
      'Monthly report | $1,000.00',
      'Setup | 3,000 EUR',
      '',
      'Signed: Jane Doe',
      'Northwind Analytics Ltd',
      '',
      '\\# of reports per year: 12 <all stores>',
      '',
      '[1] Invoices are sent by email.',
    ]);
  });

  it('gives the analysis an outline of the headings only, not of numbered items or a leading #', async () => {
    const { text } = await extract(await agreementDocx(), docx);
    expect(outlineOf(text)).toEqual([
      { level: 1, title: 'Service Agreement' },
      { level: 1, title: 'Scope' },
      { level: 2, title: 'Deliverables' },
      { level: 1, title: 'Fees & payment' },
    ]);
  });

  it('refuses files that are not a DOCX: not a ZIP, a ZIP of something else, a damaged part, an encrypted document', async () => {
    const notZip = await failureOf(extract(bytesOf('PK but not really a zip'), docx));
    expect(notZip.code).toBe('UNREADABLE_DOCX');
    expect(notZip.message).toBe('This file is not a readable Word document (DOCX): it is not a ZIP archive.');

    const otherZip = await failureOf(extract(zipOf([{ name: 'notes.txt', content: 'hello' }]), docx));
    expect(otherZip.code).toBe('UNREADABLE_DOCX');
    expect(otherZip.message).toContain('Could not find main document part');

    const damaged = zipOf([{ name: 'word/document.xml', content: '<w:document/>'.repeat(100), compress: true }]);
    damaged.fill(0x41, 40, 60);
    const damagedFailure = await failureOf(extract(damaged, docx));
    expect(damagedFailure.code).toBe('UNREADABLE_DOCX');
    expect(damagedFailure.message).toContain('word/document.xml is damaged');

    const compoundFile = bytesOf([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'rest of an OLE file');
    const encrypted = await failureOf(extract(compoundFile, docx));
    expect(encrypted.message).toContain('password-protected or in the old .doc format');
  });

  it('refuses a DOCX whose XML unpacks past the limit, even when the archive understates its size', async () => {
    const hugeXml = Buffer.alloc(maxDocxXmlBytes + 1024, ' ');
    for (const claimedSize of [undefined, 1000]) {
      const bomb = zipOf([{ name: 'word/document.xml', content: hugeXml, compress: true, ...(claimedSize ? { claimedSize } : {}) }]);
      expect(bomb.length).toBeLessThan(100_000);
      const failure = await failureOf(extract(bomb, docx));
      expect(failure.code).toBe('DOCUMENT_TOO_LARGE');
      expect(failure.message).toContain('more than 16 MB');
    }
  });
});

it('does not start on an aborted signal, whatever the type', async () => {
  const controller = new AbortController();
  controller.abort(new Error('shutting down'));
  for (const contentType of ['text/plain', pdf, docx] as const) {
    await expect(extractText(bytesOf('text'), contentType, { signal: controller.signal })).rejects.toThrow('shutting down');
  }
});
