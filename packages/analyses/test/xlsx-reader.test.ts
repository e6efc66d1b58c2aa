import { datasetAnalysis } from '../src/contracts/index.ts';
import { fileTypes } from '@jobkit/contract';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDefaultHighWaterMark } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailure } from '@jobkit/worker';
import { analyseDataset, defaultDatasetLimits, type DatasetLimits, type PassProgress } from '../src/handlers/dataset/analyse.ts';
import { datasetAnalysisHandler } from '../src/handlers/dataset-analysis.ts';
import { buildReport } from '../src/handlers/dataset/report.ts';
import { isDateFormat } from '../src/handlers/dataset/xlsx-parts.ts';

const members = await readFile(new URL('./fixtures/datasets/members.csv', import.meta.url));

/** Pieces of 4 KiB from the offset asked for, as the file store hands them (smaller, to see reads stop early). */
function readerOf(bytes: Uint8Array) {
  return async function* (fromByte = 0): AsyncGenerator<Uint8Array> {
    for (let start = fromByte; start < bytes.length; start += 4096) {
      await Promise.resolve();
      yield bytes.subarray(start, start + 4096);
    }
  };
}

function analyseXlsx(bytes: Uint8Array, options: { sheet?: string; hasHeader?: boolean; limits?: DatasetLimits } = {}) {
  const progress: PassProgress[] = [];
  const run = analyseDataset(
    { name: 'book.xlsx', format: 'xlsx', size: bytes.length, read: readerOf(bytes) },
    { delimiter: 'auto', hasHeader: options.hasHeader ?? true, sheet: options.sheet },
    { signal: new AbortController().signal, onProgress: (report) => progress.push(report), limits: options.limits },
  );
  return { run, progress };
}

async function failureOf(promise: Promise<unknown>): Promise<JobFailure> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof JobFailure)) throw new Error(`Expected a JobFailure, got ${String(error)}`);
  expect(error.retryable).toBe(false);
  return error;
}

/** A zip of the given parts, deflated, written the plain way (sizes in the local headers and the directory). */
function zipOf(parts: Record<string, string>, declaredSize: (name: string, size: number) => number = (_, size) => size): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(parts)) {
    const content = Buffer.from(text);
    const data = deflateRawSync(content);
    const nameBytes = Buffer.from(name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(crc32(content), 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(declaredSize(name, content.length), 22);
    header.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc32(content), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(declaredSize(name, content.length), 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(header, nameBytes, data);
    directory.push(entry, nameBytes);
    offset += header.length + nameBytes.length + data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(parts).length, 8);
  end.writeUInt16LE(Object.keys(parts).length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directoryBytes, end]);
}

/** A minimal workbook of one sheet "Data", with its sheet XML's rows as given; the sheet comes first in the zip. */
function workbookOf(
  rowsXml: string,
  declaredSize?: (name: string, size: number) => number,
  extra: { sharedStrings?: string; styles?: string } = {},
): Buffer {
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const related = [
    `<Relationship Id="rId1" Type="${ns}/worksheet" Target="worksheets/sheet1.xml"/>`,
    extra.sharedStrings === undefined ? '' : `<Relationship Id="rId2" Type="${ns}/sharedStrings" Target="/xl/sharedStrings.xml"/>`,
    extra.styles === undefined ? '' : `<Relationship Id="rId3" Type="${ns}/styles" Target="../xl/styles.xml"/>`,
  ];
  return zipOf(
    {
      'xl/worksheets/sheet1.xml': `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>${rowsXml}</x:sheetData></x:worksheet>`,
      '_rels/.rels': `<Relationships><Relationship Id="rId1" Type="${ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      'xl/_rels/workbook.xml.rels': `<Relationships>${related.join('')}</Relationships>`,
      ...(extra.sharedStrings === undefined ? {} : { 'xl/sharedStrings.xml': extra.sharedStrings }),
      ...(extra.styles === undefined ? {} : { 'xl/styles.xml': extra.styles }),
      'xl/workbook.xml': `<workbook xmlns:r="${ns}"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    declaredSize,
  );
}

const numberRows = (count: number, from = 1) =>
  Array.from({ length: count }, (_, index) => `<row><c><v>${from + index}</v></c><c><v>${(from + index) * 7919 % 10007}</v></c></row>`).join('');

let temporaryFolder: string;
let previousTmpdir: string | undefined;
beforeAll(async () => {
  // Everything that would write to the OS temp folder writes here instead, so the tests can see it.
  temporaryFolder = await mkdtemp(join(tmpdir(), 'jobkit-xlsx-'));
  previousTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = temporaryFolder;
  expect(tmpdir()).toBe(temporaryFolder);
});
afterAll(async () => {
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
  await rm(temporaryFolder, { recursive: true, force: true });
});

describe('XLSX reading', () => {
  it('reads back the Excel report it writes, every time, whatever sheet, leaving no temporary file', async () => {
    const summary = await analyseDataset(
      { name: 'members.csv', format: 'csv', size: members.length, read: readerOf(members) },
      { delimiter: 'auto', hasHeader: true },
      { signal: new AbortController().signal, onProgress: () => undefined },
    );
    // exceljs writes the sheets first and the workbook last: a reader in zip order must buffer the sheets.
    const report = await buildReport(summary);
    for (let round = 0; round < 4; round++) {
      const first = await (analyseXlsx(report, { hasHeader: false })).run;
      expect(first.file.sheet).toBe('Summary');
      // The title, three facts, the table's header and a row per column (the blank row is no record).
      expect(first.rowCount).toBe(1 + 3 + 1 + summary.columns.length);
      const visits = await (analyseXlsx(report, { sheet: 'visits', hasHeader: false })).run;
      expect(visits.file.sheet).toBe('visits');
      const notThere = await failureOf((analyseXlsx(report, { sheet: 'Nope' })).run);
      expect(notThere.code).toBe('SHEET_NOT_FOUND');
    }
    expect(await readdir(temporaryFolder)).toEqual([]);
  });

  it('analyses its own report through the handler, as an upload of it would be', async () => {
    const membersId = randomUUID();
    const stored = new Map<string, Uint8Array>([[membersId, members]]);
    const files = {
      info: (id: string) =>
        Promise.resolve({
          id,
          name: id === membersId ? 'members.csv' : 'report.xlsx',
          contentType: id === membersId ? fileTypes.csv.contentType : fileTypes.xlsx.contentType,
          size: stored.get(id)?.length ?? 0,
        }),
      read: (id: string, options?: { fromByte?: number }) => readerOf(stored.get(id) ?? new Uint8Array())(options?.fromByte),
      async write(_: { name: string }, content: AsyncIterable<Uint8Array> | Uint8Array) {
        const parts: Uint8Array[] = [];
        if (content instanceof Uint8Array) parts.push(content);
        else for await (const part of content) parts.push(part);
        const id = randomUUID();
        stored.set(id, Buffer.concat(parts));
        return { id, name: id, contentType: fileTypes.xlsx.contentType, size: stored.get(id)?.length ?? 0 };
      },
    };
    const run = (fileId: string, sheet?: string) =>
      datasetAnalysisHandler.run({
        jobId: 'test',
        attempt: 1,
        input: datasetAnalysis.input.parse({ fileId, sheet }),
        signal: new AbortController().signal,
        files,
        webhooks: { endpoint: () => Promise.resolve(null) },
        progress: () => undefined,
      });
    const first = await run(membersId);
    const second = datasetAnalysis.output.parse(await run(first.report.fileId, 'Correlations'));
    expect(second.file).toMatchObject({ format: 'xlsx', sheet: 'Correlations' });
    // The sheet's title is the header row; then the matrix's own header and a row per numeric column.
    expect(second.columns.map(({ name }) => name)).toEqual([
      "Pearson's r over the rows where both columns have a number",
      'Column 2',
      'Column 3',
      'Column 4',
      'Column 5',
    ]);
    expect(second.rowCount).toBe(5);
    expect(await readdir(temporaryFolder)).toEqual([]);
  });

  it('reads a workbook whose sheet comes first, with prefixed tags, shared strings, rich text, date styles and inline strings', async () => {
    const sharedStrings =
      '<sst><si><t>when</t></si><si><r><t>la</t></r><r><t>bel</t></r><rPh><t>ignored</t></rPh></si><si><t>Lamp</t></si><si><t>Desk &amp; chair</t></si></sst>';
    const styles = '<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellStyleXfs><xf numFmtId="164"/></cellStyleXfs><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>';
    const rows =
      '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>n</x:t></x:is></x:c></x:row>' +
      '<x:row r="2"><x:c r="A2" s="1"><x:v>45352</x:v></x:c><x:c r="B2" t="s"><x:v>2</x:v></x:c><x:c r="C2"><x:v>3</x:v></x:c></x:row>' +
      '<x:row r="4"><x:c r="A4" s="2"><x:v>45351</x:v></x:c><x:c r="B4" t="s"><x:v>3</x:v></x:c><x:c r="C4" t="e"><x:v>#N/A</x:v></x:c><x:c r="E4" t="b"><x:v>1</x:v></x:c></x:row>';
    const summary = await (analyseXlsx(workbookOf(rows, undefined, { sharedStrings, styles }))).run;
    expect(summary.rowCount).toBe(2);
    expect(summary.columns.map(({ name, type }) => [name, type])).toEqual([
      ['when', 'date'],
      ['label', 'text'],
      ['n', 'integer'],
      ['Column 4', 'empty'],
      ['Column 5', 'boolean'],
    ]);
    expect(summary.columns[0]?.dateRange).toEqual({ min: '2024-02-29', max: '2024-03-01' });
    expect(summary.columns[1]?.topValues.map(({ value }) => value).sort()).toEqual(['Desk & chair', 'Lamp']);
    expect(summary.columns[2]).toMatchObject({ valueCount: 1, nullCount: 1 });
  });

  it('tells date formats from others', () => {
    for (const format of ['yyyy-mm-dd', 'd/m/yy h:mm', '[$-409]mmmm d, yyyy', '[h]:mm:ss', 'mm:ss.0']) expect(isDateFormat(format)).toBe(true);
    for (const format of ['0.00', '#,##0 "days"', '[Red]0.0', 'General', '0.00E+00', '@']) expect(isDateFormat(format)).toBe(false);
  });
});

describe('XLSX bombs', () => {
  it('refuses a rows bomb at the row budget, having read only what came before it', async () => {
    const bytes = workbookOf(numberRows(200_000));
    const limits = { ...defaultDatasetLimits, xlsx: { ...defaultDatasetLimits.xlsx, maxRows: 2_000 } };
    const { run, progress } = analyseXlsx(bytes, { hasHeader: false, limits });
    const failure = await failureOf(run);
    expect(failure.code).toBe('XLSX_TOO_LARGE');
    expect(failure.message).toBe('The sheet "Data" has more than 2,000 rows, the most an analysis reads (its row budget). Save it as CSV, or split it.');
    const last = progress.at(-1);
    expect(last?.rowsRead).toBeLessThanOrEqual(2_000);
    // Streamed: the reading stopped a few stream buffers past the budget, far from the end of the
    // file. What it may have read: the tail where yauzl looks for the zip's directory (the longest
    // comment, 64 KiB, and the end records), the sheet's compressed bytes up to the budget (the
    // sheet is nearly all of the file and compresses evenly), and what the streams between the file
    // and zlib pull ahead: six buffers of the default high-water mark (the file's Readable, yauzl's
    // two filters on both sides, zlib's input), which Node 22 raised from 16 to 64 KiB, and less than
    // two more for the inflated side's buffers counted in compressed bytes and the pieces in hand.
    const directoryTail = 0xffff + 22 + 20;
    const sheetToBudget = Math.ceil((bytes.length * 2_000) / 200_000);
    const readAhead = 8 * getDefaultHighWaterMark(false);
    const bound = directoryTail + sheetToBudget + readAhead;
    // Else the bound would pass a reader that read the whole file before refusing.
    expect(bound).toBeLessThan(bytes.length * 0.6);
    expect(last?.bytesRead).toBeLessThan(bound);
  });

  it('refuses, with the default budget, a small file that unpacks to more rows than Excel allows', async () => {
    const rows = '<row><c><v>1</v></c></row>'.repeat(1_048_577);
    const bytes = workbookOf(rows);
    expect(bytes.length).toBeLessThan(1024 * 1024);
    const started = { at: performance.now(), elapsed: () => performance.now() - started.at };
    const failure = await failureOf(analyseXlsx(bytes, { hasHeader: false }).run);
    expect(failure.message).toMatch(/^The sheet "Data" has more than 1,048,576 rows, the most an analysis reads \(its row budget\)/);
    console.log(
      `[xlsx] rows bomb: a ${Math.round(bytes.length / 1024)} KB file of ${Math.round(rows.length / 1024 / 1024)} MB of sheet XML refused at the row budget ` +
        `after ${Math.round(started.elapsed())} ms`,
    );
  });

  it('refuses a wide-then-long sheet at the cell budget', async () => {
    const header = `<row>${Array.from({ length: 400 }, (_, index) => `<c t="inlineStr"><is><t>c${index}</t></is></c>`).join('')}</row>`;
    const bytes = workbookOf(header + numberRows(20_000));
    const limits = { ...defaultDatasetLimits, xlsx: { ...defaultDatasetLimits.xlsx, maxCells: 1_000_000 } };
    const failure = await failureOf((analyseXlsx(bytes, { limits })).run);
    expect(failure.message).toBe(
      'The sheet "Data" has more than 1,000,000 cells (rows × columns), the most an analysis reads (its cell budget). Save it as CSV, or split it.',
    );
  });

  it('refuses a sheet by the size its zip declares, before inflating any of it', async () => {
    const bytes = workbookOf(numberRows(10_000), (name, size) => (name.includes('sheet1') ? 600 * 1024 * 1024 : size));
    const { run, progress } = analyseXlsx(bytes, { hasHeader: false });
    const failure = await failureOf(run);
    expect(failure.code).toBe('XLSX_TOO_LARGE');
    expect(failure.message).toBe(
      "This workbook's part xl/worksheets/sheet1.xml declares 600 MB uncompressed, past the 512 MB an analysis inflates (its inflated-bytes budget). Save the sheet as CSV, or split it.",
    );
    expect(progress.every(({ rowsRead }) => rowsRead === 0)).toBe(true);
  });

  it('stops a sheet that inflates to more than its zip declares', async () => {
    const bytes = workbookOf(numberRows(10_000), (name, size) => (name.includes('sheet1') ? 1_000 : size));
    const failure = await failureOf((analyseXlsx(bytes, { hasHeader: false })).run);
    expect(failure.message).toBe(
      "This workbook's part xl/worksheets/sheet1.xml inflates to more than the 1,000 bytes its zip directory declares: the file is damaged, or built to exhaust a reader.",
    );
    expect(await readdir(temporaryFolder)).toEqual([]);
  });
});
