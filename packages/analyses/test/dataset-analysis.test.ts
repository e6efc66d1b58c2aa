import { datasetAnalysis } from '../src/contracts/index.ts';
import { fileTypes, type JobInput } from '@jobkit/contract';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { JobFailure, type HandlerFiles, type StoredFileInfo } from '@jobkit/worker';
import { datasetAnalysisHandler } from '../src/handlers/dataset-analysis.ts';
import { sniffDelimiter } from '../src/handlers/dataset/csv-source.ts';
import { parseDate } from '../src/handlers/dataset/values.ts';
import {
  analyseDataset,
  defaultDatasetLimits,
  type DatasetLimits,
  type DatasetOptions,
  type DatasetSummary,
  type PassProgress,
} from '../src/handlers/dataset/analyse.ts';

const members = await readFile(new URL('./fixtures/datasets/members.csv', import.meta.url));

/**
 * Small chunks, so fields, lines and multi-byte characters (é, ç) are cut between them, each on a
 * later turn of the event loop as from the database.
 */
async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) {
    await nextTurn();
    yield bytes.subarray(start, start + size);
  }
}

interface Run {
  format?: 'csv' | 'xlsx';
  options?: Partial<DatasetOptions>;
  limits?: DatasetLimits;
  signal?: AbortSignal;
  read?: (fromByte?: number) => AsyncIterable<Uint8Array>;
}

async function analyse(bytes: Uint8Array, run: Run = {}): Promise<{ summary: DatasetSummary; progress: PassProgress[] }> {
  const progress: PassProgress[] = [];
  const summary = await analyseDataset(
    { name: 'data', format: run.format ?? 'csv', size: bytes.length, read: run.read ?? ((fromByte = 0) => chunksOf(bytes.subarray(fromByte), 64)) },
    { delimiter: 'auto', hasHeader: true, ...run.options },
    {
      signal: run.signal ?? new AbortController().signal,
      onProgress: (report) => progress.push(report),
      limits: run.limits,
    },
  );
  return { summary, progress };
}

function column(summary: DatasetSummary, name: string) {
  const found = summary.columns.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`No column ${name}`);
  return found;
}

const text = (value: string) => new TextEncoder().encode(value);

async function failureOf(promise: Promise<unknown>): Promise<JobFailure> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof JobFailure)) throw new Error(`Expected a JobFailure, got ${String(error)}`);
  expect(error.retryable).toBe(false);
  return error;
}

// Expected figures computed independently, with Python's statistics module, from the fixture's values.
describe('dataset analysis of a CSV', () => {
  it('infers each column type and counts empties, null markers and stray values', async () => {
    const { summary } = await analyse(members);
    expect(summary.rowCount).toBe(40);
    expect(summary.passes).toBe(1);
    expect(summary.file).toMatchObject({ format: 'csv', delimiter: ',', sheet: null });
    expect(summary.columns.map(({ name, type }) => [name, type])).toEqual([
      ['id', 'integer'],
      ['city', 'text'],
      ['joined', 'date'],
      ['active', 'boolean'],
      ['height_cm', 'number'],
      ['weight_kg', 'number'],
      ['visits', 'integer'],
      ['note', 'text'],
    ]);
    expect(column(summary, 'joined')).toMatchObject({ valueCount: 38, emptyCount: 1, nullCount: 1, nonConformingCount: 0 });
    expect(column(summary, 'joined').dateRange).toEqual({ min: '2023-01-10', max: '2023-12-27' });
    expect(column(summary, 'weight_kg')).toMatchObject({ valueCount: 39, emptyCount: 0, nullCount: 1 });
    expect(column(summary, 'visits')).toMatchObject({ valueCount: 40, nonConformingCount: 1 });
    expect(column(summary, 'active').booleans).toEqual({ trueCount: 27, falseCount: 13 });
    expect(column(summary, 'note')).toMatchObject({ valueCount: 11, emptyCount: 29, distinct: { count: 11, exact: true } });
    expect(column(summary, 'note').topValues.map(({ value }) => value)).toContain('He said "hi"\nthen left');
  });

  it('gives mean, median, sample standard deviation and histograms of numeric columns', async () => {
    const { summary } = await analyse(members);
    const height = column(summary, 'height_cm').numeric;
    expect(height?.min).toBe(151.5);
    expect(height?.max).toBe(190.75);
    expect(height?.mean).toBeCloseTo(171.644736842, 8);
    expect(height?.median).toBe(172);
    expect(height?.medianExact).toBe(true);
    expect(height?.stddev).toBeCloseTo(11.493481052, 8);
    // 38 values: Sturges says 7 bins, raised to the minimum of 10, each 3.925 wide.
    expect(height?.histogram.map(({ count }) => count)).toEqual([4, 3, 3, 4, 4, 5, 3, 4, 4, 4]);
    expect(height?.histogram[1]?.from).toBeCloseTo(155.425, 9);
    expect(height?.histogram.at(-1)?.to).toBe(190.75);

    const weight = column(summary, 'weight_kg').numeric;
    expect(weight?.mean).toBeCloseTo(63.723076923, 8);
    expect(weight?.median).toBe(62.8);
    expect(weight?.stddev).toBeCloseTo(10.918368433, 8);

    const visits = column(summary, 'visits').numeric;
    expect(visits).toMatchObject({ min: 0, max: 9, median: 4 });
    expect(visits?.mean).toBeCloseTo(4.487179487, 8);
    expect(visits?.stddev).toBeCloseTo(2.945753365, 8);
    // Ten integer values: one bin each; "5" lost a row to the stray "unknown".
    expect(visits?.histogram).toEqual(Array.from({ length: 10 }, (_, value) => ({ from: value, to: value + 1, count: value === 5 ? 3 : 4 })));
    // 1..40 span 40 integers: 10 bins of 4.
    const ids = column(summary, 'id').numeric?.histogram ?? [];
    expect(ids.map(({ from, to, count }) => [from, to, count])).toEqual(Array.from({ length: 10 }, (_, bin) => [1 + 4 * bin, 5 + 4 * bin, 4]));
  });

  it('lists the top values with their counts, the distinct count exact', async () => {
    const { summary } = await analyse(members);
    const city = column(summary, 'city');
    expect(city.topValues).toEqual([
      { value: 'Paris', count: 12 },
      { value: 'Lyon', count: 10 },
      { value: 'Nantes', count: 8 },
      { value: 'Orléans', count: 6 },
      { value: 'Nice', count: 4 },
    ]);
    expect(city.distinct).toEqual({ count: 5, exact: true });
    expect(city.topValuesExact).toBe(true);
    expect(column(summary, 'active').topValues).toEqual([
      { value: 'yes', count: 26 },
      { value: 'no', count: 13 },
      { value: 'TRUE', count: 1 },
    ]);
  });

  it('correlates every pair of numeric columns over the rows where both have a number', async () => {
    const { summary } = await analyse(members);
    const pairs = summary.correlations.map(({ columnA, columnB }) => `${columnA}/${columnB}`);
    expect(pairs).toEqual(['id/height_cm', 'id/weight_kg', 'id/visits', 'height_cm/weight_kg', 'height_cm/visits', 'weight_kg/visits']);
    const heightWeight = summary.correlations.find(({ columnA, columnB }) => columnA === 'height_cm' && columnB === 'weight_kg');
    expect(heightWeight?.rows).toBe(37);
    expect(heightWeight?.r).toBeCloseTo(0.963, 3);
    const idVisits = summary.correlations.find(({ columnA, columnB }) => columnA === 'id' && columnB === 'visits');
    expect(idVisits?.rows).toBe(39);
    expect(idVisits?.r).toBeCloseTo(-0.07, 3);
    expect(summary.correlationsTruncated).toBe(false);
  });

  it('reports progress by bytes read', async () => {
    const { progress } = await analyse(members);
    // One report per chunk, and one when the parser is done.
    expect(progress).toHaveLength(Math.ceil(members.length / 64) + 1);
    expect(progress.every(({ stage, bytesTotal }) => stage === 'scanning' && bytesTotal === members.length)).toBe(true);
    expect(progress.map(({ bytesRead }) => bytesRead)).toEqual(progress.map((_, index) => Math.min(64 * (index + 1), members.length)));
    const rows = progress.map(({ rowsRead }) => rowsRead);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(rows.at(-1)).toBe(40);
  });

  it('sniffs a semicolon delimiter and reads decimal commas', async () => {
    const csv = '\uFEFFname;amount;when\r\nA;1,5;2024-01-01\r\nB;2,25;2024-02-01\r\nC;3;2024-03-01T10:30:00+02:00\r\n';
    const { summary } = await analyse(text(csv));
    expect(summary.file.delimiter).toBe(';');
    expect(summary.columns.map(({ name }) => name)).toEqual(['name', 'amount', 'when']);
    expect(column(summary, 'amount')).toMatchObject({ type: 'number', numeric: { mean: 2.25, median: 2.25 } });
    expect(column(summary, 'when').dateRange).toEqual({ min: '2024-01-01T00:00:00.000Z', max: '2024-03-01T08:30:00.000Z' });
  });

  it('takes a given delimiter, and names the columns of a file without header', async () => {
    const { summary } = await analyse(text('1\tx\n2\ty\n3\tx\n'), { options: { delimiter: '\t', hasHeader: false } });
    expect(summary.rowCount).toBe(3);
    expect(summary.columns.map(({ name, type }) => [name, type])).toEqual([
      ['Column 1', 'integer'],
      ['Column 2', 'text'],
    ]);
  });
});

describe('reading values', () => {
  it.each([
    ['commas, with semicolons inside quotes', 'a,b\n"x;y",1\n"z;w",2\n', ','],
    ['tabs, with commas in names', 'name\tcity\nSmith, J\tParis\nDoe, A\tLyon\n', '\t'],
    ['semicolons, with a decimal comma in every row', '1,5;2,5\n3,5;4,5\n', ';'],
    ['vertical bars', 'a|b|c\n1|2|3\n', '|'],
    ['one column', 'name\nAda\nGrace\n', ','],
  ])('sniffs %s', (_, head, delimiter) => {
    expect(sniffDelimiter(head, true)).toBe(delimiter);
  });

  it('reads ISO dates only when they exist on the calendar', () => {
    expect(parseDate('2024-02-29')).toEqual({ time: Date.UTC(2024, 1, 29), hasTime: false });
    expect(parseDate('2024/02/29 23:59:59.5Z')).toEqual({ time: Date.UTC(2024, 1, 29, 23, 59, 59, 500), hasTime: true });
    expect(parseDate('2024-03-01T10:30-05:00')?.time).toBe(Date.UTC(2024, 2, 1, 15, 30));
    for (const notADate of ['2023-02-29', '2024-13-01', '2024-04-31', '2024-01-01T24:00', '03/04/2024']) {
      expect(parseDate(notADate)).toBeUndefined();
    }
  });
});

describe('dataset analysis past its memory limits', () => {
  // 30% "a", 20% "b", 10% "c", the rest unique; amounts spread over 0-99.9.
  const rows = 3000;
  const skewed = text(
    ['category,amount']
      .concat(
        Array.from({ length: rows }, (_, i) => {
          const tenth = i % 10;
          const category = tenth < 3 ? 'a' : tenth < 5 ? 'b' : tenth === 5 ? 'c' : `u${i}`;
          return `${category},${((i * 7919) % 1000) / 10}`;
        }),
      )
      .join('\n'),
  );
  const tight: DatasetLimits = {
    ...defaultDatasetLimits,
    columnLimits: () => ({ sampleSize: 100, values: { capacity: 50, characterBudget: 10_000 } }),
  };

  it('rereads the file to keep histograms and top-value counts exact, and says what is estimated', async () => {
    const exact = (await analyse(skewed)).summary;
    const { summary: bounded, progress } = await analyse(skewed, { limits: tight });
    expect(exact.passes).toBe(1);
    expect(bounded.passes).toBe(2);
    expect(progress.filter(({ stage }) => stage === 'recounting').at(-1)).toMatchObject({ bytesRead: skewed.length, rowsRead: rows });

    const [exactAmount, boundedAmount] = [column(exact, 'amount').numeric, column(bounded, 'amount').numeric];
    expect(boundedAmount?.histogram).toEqual(exactAmount?.histogram);
    expect(boundedAmount?.histogram.reduce((sum, { count }) => sum + count, 0)).toBe(rows);
    expect(boundedAmount?.mean).toBeCloseTo(exactAmount?.mean ?? 0, 9);
    expect(boundedAmount?.stddev).toBeCloseTo(exactAmount?.stddev ?? 0, 9);
    expect(exactAmount?.medianExact).toBe(true);
    expect(boundedAmount?.medianExact).toBe(false);
    // A sample of 100 from values spread evenly over 0-99.9 puts the median within a few units.
    expect(Math.abs((boundedAmount?.median ?? 0) - (exactAmount?.median ?? 0))).toBeLessThan(10);

    const category = column(bounded, 'category');
    expect(category.topValues.slice(0, 3)).toEqual([
      { value: 'a', count: 900 },
      { value: 'b', count: 600 },
      { value: 'c', count: 300 },
    ]);
    expect(category.topValuesExact).toBe(false);
    expect(category.distinct.exact).toBe(false);
    expect(column(exact, 'category').distinct).toEqual({ count: 1203, exact: true });
    expect(Math.abs(category.distinct.count - 1203)).toBeLessThan(1203 * 0.03);
  });
});

async function workbookBytes(): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('Notes').addRow(['Prices as of March']);
  const data = workbook.addWorksheet('Data');
  data.addRow(['product', 'price', 'in_stock', 'released', 'units', 'ratio']);
  data.addRow(['Lamp', 24.5, true, new Date(Date.UTC(2024, 2, 1)), 10, { formula: 'B2/E2', result: 2.45 }]);
  data.addRow([{ richText: [{ text: 'De', font: { bold: true } }, { text: 'sk' }] }, 99, false, new Date(Date.UTC(2024, 0, 15)), 0, { error: '#DIV/0!' }]);
  data.addRow(['Chair', 45.25, true, new Date(Date.UTC(2023, 10, 30)), 4, { formula: 'B4/E4', result: 11.3125 }]);
  data.addRow(['Shelf', null, true, new Date(Date.UTC(2024, 1, 10)), 5, 'n/a']);
  data.addRow(['Stool', 15, false, new Date(Date.UTC(2024, 1, 10)), 3, 5, 'extra']);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

describe('dataset analysis of an XLSX workbook', () => {
  it('reads the chosen sheet with typed cells: dates, booleans, formulas by result, errors as nulls', async () => {
    const { summary, progress } = await analyse(await workbookBytes(), { format: 'xlsx', options: { sheet: 'Data' } });
    expect(summary.file).toMatchObject({ format: 'xlsx', sheet: 'Data', delimiter: null });
    expect(summary.rowCount).toBe(5);
    expect(summary.columns.map(({ name, type }) => [name, type])).toEqual([
      ['product', 'text'],
      ['price', 'number'],
      ['in_stock', 'boolean'],
      ['released', 'date'],
      ['units', 'integer'],
      ['ratio', 'number'],
      ['Column 7', 'text'],
    ]);
    expect(column(summary, 'product').topValues.map(({ value }) => value)).toContain('Desk');
    expect(column(summary, 'price')).toMatchObject({ emptyCount: 1, numeric: { min: 15, max: 99, mean: 45.9375, median: 34.875 } });
    expect(column(summary, 'in_stock').booleans).toEqual({ trueCount: 3, falseCount: 2 });
    expect(column(summary, 'released').dateRange).toEqual({ min: '2023-11-30', max: '2024-03-01' });
    expect(column(summary, 'units').numeric).toMatchObject({ mean: 4.4, median: 4 });
    expect(column(summary, 'ratio')).toMatchObject({ valueCount: 3, nullCount: 2, numeric: { median: 5 } });
    // Column 7 starts on the last row: empty in the four before.
    expect(column(summary, 'Column 7')).toMatchObject({ valueCount: 1, emptyCount: 4 });
    expect(progress.at(-1)?.bytesRead).toBeGreaterThan(0);
  });

  it('takes the first sheet by default, and names the sheets when the one asked for is missing', async () => {
    const bytes = await workbookBytes();
    const { summary } = await analyse(bytes, { format: 'xlsx', options: { hasHeader: false } });
    expect(summary.file.sheet).toBe('Notes');
    expect(summary.rowCount).toBe(1);
    const failure = await failureOf(analyse(bytes, { format: 'xlsx', options: { sheet: 'Prices' } }));
    expect(failure.code).toBe('SHEET_NOT_FOUND');
    expect(failure.message).toBe('This workbook has no sheet named "Prices"; its sheets are: "Notes", "Data".');
  });
});

describe('dataset analysis of unusable files', () => {
  it.each([
    ['a row with too many fields', 'a,b\n1,2\n3,4,5\n', 'MALFORMED_CSV', /^Line 3 has 3 fields where the first line has 2/],
    ['a quote never closed', 'a,b\n1,"2\n3,4\n', 'MALFORMED_CSV', /never closed/],
    ['a header only', 'a,b,c\n', 'NO_ROWS', /header row but no data rows/],
    ['nothing but blank lines', '\n\n\n', 'NO_ROWS', /no rows/],
    ['binary data', 'PK\u0003\u0004\u0000\u0000garbage', 'NOT_CSV', /binary data/],
  ])('fails on %s', async (_, content, code, message) => {
    const failure = await failureOf(analyse(text(content)));
    expect(failure.code).toBe(code);
    expect(failure.message).toMatch(message);
  });

  it('fails on text in another encoding than UTF-8, wherever it is', async () => {
    const latin1 = Buffer.from(`name,city\n${'x,Paris\n'.repeat(20_000)}y,Orl\u00e9ans\n`, 'latin1');
    const failure = await failureOf(analyse(latin1));
    expect(failure.code).toBe('INVALID_TEXT_ENCODING');
    expect(failure.message).toMatch(/Windows-1252/);
  });

  it('fails on a workbook that is not one, and on too many columns', async () => {
    expect((await failureOf(analyse(members, { format: 'xlsx' }))).code).toBe('UNREADABLE_XLSX');
    const failure = await failureOf(analyse(members, { limits: { ...defaultDatasetLimits, maxColumns: 5 } }));
    expect(failure.code).toBe('TOO_MANY_COLUMNS');
  });

  it.each(['csv', 'xlsx'] as const)('passes on a failing read of a %s file instead of waiting for more bytes', async (format) => {
    const bytes = format === 'csv' ? members : await workbookBytes();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 200);
      await nextTurn();
      throw new Error('connection lost');
    }
    await expect(analyse(bytes, { format, read: failing })).rejects.toThrow('connection lost');
  });

  it('stops reading when aborted', async () => {
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield* chunksOf(members, 100);
      controller.abort();
      yield* chunksOf(members.subarray(members.indexOf('\n') + 1), 100);
    }
    await expect(analyse(members, { read: slow, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

/** The file store as the handler sees it, in memory: a test double of the database-backed one. */
function memoryFiles(): HandlerFiles & { add(name: string, contentType: string, bytes: Uint8Array): string; bytes(id: string): Uint8Array } {
  const stored = new Map<string, { info: StoredFileInfo; bytes: Uint8Array }>();
  const find = (id: string) => {
    const file = stored.get(id);
    if (!file) throw new JobFailure('FILE_NOT_FOUND', 'No such file', { retryable: false });
    return file;
  };
  const store = (name: string, contentType: string, bytes: Uint8Array) => {
    const info = { id: randomUUID(), name, contentType, size: bytes.length };
    stored.set(info.id, { info, bytes });
    return info;
  };
  return {
    add: (name, contentType, bytes) => store(name, contentType, bytes).id,
    bytes: (id) => find(id).bytes,
    info: (id) => Promise.resolve(find(id).info),
    read: (id, options) => chunksOf(find(id).bytes.subarray(options?.fromByte ?? 0), 1 << 20),
    async write({ name, contentType }, content) {
      const parts: Uint8Array[] = [];
      if (content instanceof Uint8Array) parts.push(content);
      else for await (const part of content) parts.push(part);
      return store(name, contentType, Buffer.concat(parts));
    },
  };
}

async function runHandler(files: HandlerFiles, input: JobInput<typeof datasetAnalysis>) {
  const percents: number[] = [];
  const output = await datasetAnalysisHandler.run({
    jobId: 'test',
    attempt: 1,
    input: datasetAnalysis.input.parse(input),
    signal: new AbortController().signal,
    files,
    webhooks: { endpoint: () => Promise.resolve(null) },
    progress: (percent) => percents.push(percent),
  });
  return { output: datasetAnalysis.output.parse(output), percents };
}

describe('dataset analysis handler', () => {
  it('analyses an uploaded CSV and stores an XLSX report with a summary, correlations and a sheet per column', async () => {
    const files = memoryFiles();
    const fileId = files.add('members.csv', fileTypes.csv.contentType, members);
    const { output, percents } = await runHandler(files, { fileId });
    expect(output.rowCount).toBe(40);
    expect(output.report).toMatchObject({ name: 'members - analysis.xlsx', contentType: fileTypes.xlsx.contentType });
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(95);

    const workbook = new ExcelJS.Workbook();
    const report = files.bytes(output.report.fileId);
    expect(output.report.size).toBe(report.length);
    await workbook.xlsx.load(new Uint8Array(report).buffer);
    expect(workbook.worksheets.map(({ name }) => name)).toEqual([
      'Summary',
      'Correlations',
      'id',
      'city',
      'joined',
      'active',
      'height_cm',
      'weight_kg',
      'visits',
      'note',
    ]);

    const summary = workbook.getWorksheet('Summary');
    expect(summary?.getCell('A1').value).toBe('Dataset analysis of members.csv');
    expect(summary?.getCell('B2').value).toBe(40);
    const header = summary?.getRow(6).values;
    expect(header).toEqual([undefined, 'Column', 'Type', 'Values', 'Empty', 'Null', 'Not of type', 'Distinct', 'Min', 'Max', 'Mean', 'Median', 'Std dev', 'Most frequent', 'Estimated']);
    const heightRow = summary?.getRow(11);
    expect(heightRow?.getCell(1).value).toBe('height_cm');
    expect(heightRow?.getCell(10).value).toBeCloseTo(171.644736842, 8);
    expect(summary?.getRow(8).getCell(13).value).toBe('Paris');

    const correlations = workbook.getWorksheet('Correlations');
    expect(correlations?.getRow(2).values).toEqual([undefined, '', 'id', 'height_cm', 'weight_kg', 'visits']);
    expect(correlations?.getCell('C4').value).toBe(1);
    expect(correlations?.getCell('D4').value).toBeCloseTo(0.963, 3);

    const visits = workbook.getWorksheet('visits');
    // Rows by number, the blank ones between the tables included; cells from column A.
    const cells = Array.from(visits?.getSheetValues() ?? [], (row) => (Array.isArray(row) ? row.slice(1, 4) : []));
    expect(cells.slice(2, 13)).toEqual([
      ['Statistic', 'Value'],
      ['Type', 'integer'],
      ['Values', 40],
      ['Empty', 0],
      ['Null markers', 0],
      ['Not of type', 1],
      ['Distinct', 11],
      ['Min', 0],
      ['Max', 9],
      ['Mean', column(output, 'visits').numeric?.mean],
      ['Median', 4],
    ]);
    const topHeader = cells.findIndex((row) => row[0] === 'Top value');
    expect(cells[topHeader + 1]).toEqual(['0', 4, 0.1]);
    const histogramHeader = cells.findIndex((row) => row[0] === 'From');
    expect(cells.slice(histogramHeader + 1).map((row) => row[2])).toEqual([4, 4, 4, 4, 4, 3, 4, 4, 4, 4]);
  });

  it('refuses a file that is neither CSV nor XLSX, and an empty one', async () => {
    const files = memoryFiles();
    const pdf = files.add('paper.pdf', 'application/pdf', text('%PDF-1.7'));
    expect((await failureOf(runHandler(files, { fileId: pdf }))).code).toBe('UNSUPPORTED_FILE_TYPE');
    const empty = files.add('empty.csv', fileTypes.csv.contentType, new Uint8Array());
    expect((await failureOf(runHandler(files, { fileId: empty }))).message).toBe('This file is empty.');
  });
});
