import type { datasetAnalysis } from '../../contracts/index.ts';
import type { JobOutput, JobProgressData } from '@jobkit/contract';
import { JobFailure } from '@jobkit/worker';
import { ColumnStats, type ColumnLimits } from './column-stats.ts';
import { CorrelationTracker } from './correlation.ts';
import { openCsv, type Delimiter } from './csv-source.ts';
import { classify, formatDate, type ClassifyOptions, type FieldValue } from './values.ts';
import { defaultXlsxBudget, readXlsx, type XlsxBudget } from './xlsx-source.ts';

export type DatasetSummary = Omit<JobOutput<typeof datasetAnalysis>, 'report'>;
export type DatasetProgress = JobProgressData<typeof datasetAnalysis>;
/** Progress while reading the file; the report comes after. */
export type PassProgress = DatasetProgress & { stage: 'scanning' | 'recounting' };

export interface DatasetFile {
  name: string;
  format: 'csv' | 'xlsx';
  size: number;
  /** The file's bytes from `fromByte` (0: the start) to the end; a CSV is read once per pass, an XLSX part by part. */
  read: (fromByte?: number) => AsyncIterable<Uint8Array>;
}

export interface DatasetOptions {
  delimiter: Delimiter | 'auto';
  hasHeader: boolean;
  sheet?: string | undefined;
}

export interface DatasetLimits {
  maxColumns: number;
  /** Columns that can take part in correlations. */
  correlationSlots: number;
  columnLimits: (columnCount: number) => ColumnLimits;
  /** What one XLSX workbook may cost to read (a small file can inflate to a huge sheet). */
  xlsx: XlsxBudget;
}

/**
 * Shares fixed budgets among the columns, each between a floor and a ceiling: at 10 columns about
 * 8 MB of sampled numbers and at most 20,000 distinct values (and 1 M characters of them) each,
 * tens of MB in all, the same for ten thousand rows or a hundred million.
 */
export function defaultColumnLimits(columnCount: number): ColumnLimits {
  const share = (budget: number, floor: number, ceiling: number) => Math.max(floor, Math.min(ceiling, Math.floor(budget / columnCount)));
  return {
    sampleSize: share(2_000_000, 10_000, 100_000),
    values: { capacity: share(400_000, 1_000, 20_000), characterBudget: share(10_000_000, 20_000, 1_000_000) },
  };
}

export const defaultDatasetLimits: DatasetLimits = {
  maxColumns: 500,
  correlationSlots: 30,
  columnLimits: defaultColumnLimits,
  xlsx: defaultXlsxBudget,
};

export interface AnalyseControl {
  signal: AbortSignal;
  onProgress: (progress: PassProgress) => void;
  limits?: DatasetLimits;
}

/**
 * Analyses a CSV or XLSX file in one streaming pass, or two when the first could not keep every
 * value: the second rereads the file (cheaper than holding it) to count the histograms and the
 * top-value candidates exactly. Memory depends on the column count, never on the row count.
 */
export async function analyseDataset(file: DatasetFile, options: DatasetOptions, control: AnalyseControl): Promise<DatasetSummary> {
  const { signal, onProgress } = control;
  const limits = control.limits ?? defaultDatasetLimits;
  let columns: ColumnStats[] | undefined;
  let rowCount = 0;
  const correlations = new CorrelationTracker(limits.correlationSlots);
  let rowNumbers = new Float64Array(0);

  const addColumns = (names: readonly string[]) => {
    const existing = columns ?? [];
    if (existing.length + names.length > limits.maxColumns) {
      throw new JobFailure('TOO_MANY_COLUMNS', `This file has more than ${limits.maxColumns} columns, the most that can be analysed.`, {
        retryable: false,
      });
    }
    const columnLimits = limits.columnLimits(existing.length + names.length);
    const added = names.map((name, index) => new ColumnStats(name, existing.length + index + 1, columnLimits));
    // A column that starts late (an XLSX row wider than the ones before) was empty in the rows before.
    for (const column of added) column.emptyCount = rowCount;
    columns = [...existing, ...added];
    rowNumbers = new Float64Array(columns.length);
  };

  const firstPass = (fields: readonly FieldValue[], classifyOptions: ClassifyOptions) => {
    if (columns === undefined) {
      addColumns(options.hasHeader ? uniqueNames(fields) : fields.map((_, index) => `Column ${index + 1}`));
      if (options.hasHeader) return;
    }
    const known = columns ?? [];
    if (fields.length > known.length) addColumns(fields.slice(known.length).map((_, index) => `Column ${known.length + index + 1}`));
    rowCount++;
    const current = columns ?? [];
    // Runs for every cell of the file: an index loop, no iterator objects.
    for (let index = 0; index < current.length; index++) {
      const column = current[index];
      if (column === undefined) continue;
      const cell = classify(fields[index] ?? null, classifyOptions);
      if (cell.kind === 'number' && column.valueCount === 0) correlations.nominate(index);
      column.add(cell);
      rowNumbers[index] = cell.kind === 'number' ? cell.value : Number.NaN;
    }
    correlations.addRow(rowNumbers);
  };

  /** Reads the file once, reporting as chunks come in and when it is done (the parser lags the reads a little). */
  const pass = async (stage: PassProgress['stage'], rows: () => number, passOptions: DatasetOptions, onRecord: RecordHandler) => {
    let bytesRead = 0;
    const report = () => {
      onProgress({ stage, bytesRead, bytesTotal: file.size, rowsRead: rows() });
    };
    const read = (fromByte?: number) =>
      metered(file.read(fromByte), signal, (bytes) => {
        bytesRead += bytes;
        report();
      });
    const source = await readRecords({ ...file, read }, passOptions, limits.xlsx, onRecord);
    report();
    return source;
  };

  const source = await pass('scanning', () => rowCount, options, firstPass);
  if (columns === undefined || rowCount === 0) {
    const message = columns === undefined ? 'This file has no rows.' : 'This file has a header row but no data rows.';
    throw new JobFailure('NO_ROWS', message, { retryable: false });
  }
  const analysed: ColumnStats[] = columns;

  const recounted = analysed.filter((column) => column.needsRecount);
  if (recounted.length > 0) {
    for (const column of recounted) column.beginRecount();
    let header = options.hasHeader;
    let recountedRows = 0;
    await pass(
      'recounting',
      () => recountedRows,
      { ...options, delimiter: source.delimiter ?? options.delimiter },
      (fields, classifyOptions) => {
        if (header) {
          header = false;
          return;
        }
        recountedRows++;
        for (const column of recounted) column.recount(classify(fields[column.position - 1] ?? null, classifyOptions));
      },
    );
  }

  const summaries = analysed.map((column) => column.summary());
  const numeric = summaries.filter((column) => column.type === 'number' || column.type === 'integer').map((column) => column.position - 1);
  const nameOf = (index: number) => analysed[index]?.name ?? '';
  return {
    file: { name: file.name, format: file.format, size: file.size, delimiter: source.delimiter, sheet: source.sheet },
    rowCount,
    passes: recounted.length > 0 ? 2 : 1,
    columns: summaries,
    correlations: correlations
      .correlations(numeric)
      .map(({ columnA, columnB, r, rows }) => ({ columnA: nameOf(columnA), columnB: nameOf(columnB), r, rows })),
    correlationsTruncated: numeric.some((index) => !correlations.tracks(index)),
  };
}

type RecordHandler = (fields: readonly FieldValue[], classifyOptions: ClassifyOptions) => void;

async function readRecords(
  file: Omit<DatasetFile, 'read'> & { read: (fromByte?: number) => AsyncIterable<Buffer> },
  options: DatasetOptions,
  budget: XlsxBudget,
  onRecord: RecordHandler,
): Promise<{ delimiter: Delimiter | null; sheet: string | null }> {
  if (file.format === 'xlsx') {
    const classifyOptions = { decimalComma: false };
    const { sheet } = await readXlsx(file.read, file.size, { sheet: options.sheet, budget }, (fields) => {
      onRecord(fields, classifyOptions);
    });
    return { delimiter: null, sheet };
  }
  const csv = await openCsv(file.read(), options.delimiter);
  const classifyOptions = { decimalComma: csv.delimiter !== ',' };
  await csv.parse((fields) => {
    onRecord(fields, classifyOptions);
  });
  return { delimiter: csv.delimiter, sheet: null };
}

/** Counts bytes as they are read, and stops reading once the job is aborted. */
async function* metered(chunks: AsyncIterable<Uint8Array>, signal: AbortSignal, onBytes: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    signal.throwIfAborted();
    onBytes(chunk.byteLength);
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** Header cells as names: blank ones become "Column n", repeated ones get " (2)", " (3)"... */
function uniqueNames(fields: readonly FieldValue[]): string[] {
  const used = new Set<string>();
  return fields.map((field, index) => {
    const base = headerText(field) || `Column ${index + 1}`;
    let name = base;
    for (let copy = 2; used.has(name); copy++) name = `${base} (${copy})`;
    used.add(name);
    return name;
  });
}

function headerText(field: FieldValue): string {
  if (field === null || (typeof field === 'object' && !(field instanceof Date))) return '';
  if (field instanceof Date) return formatDate(field.getTime(), field.getTime() % 86_400_000 !== 0);
  return String(field).trim();
}
