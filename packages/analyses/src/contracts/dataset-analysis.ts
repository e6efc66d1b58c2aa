import { z } from 'zod';
import { defineJob } from '@jobkit/contract';
import { storedFileSchema } from '@jobkit/contract';

/** Field delimiters a CSV may use; `auto` sniffs one of them from the first lines. */
export const datasetDelimiters = [',', ';', '\t', '|'] as const;

/** Reading the file, rereading it when the first pass could not keep counts exact, writing the report. */
export const datasetAnalysisStages = ['scanning', 'recounting', 'reporting'] as const;

/** `number` has decimals; `empty` has no value at all. */
export const datasetColumnTypes = ['number', 'integer', 'boolean', 'date', 'text', 'empty'] as const;

/** Bins are [from, to), the last one [from, to]. */
export const datasetHistogramBinSchema = z.object({ from: z.number(), to: z.number(), count: z.int() });

export const datasetColumnSchema = z.object({
  /** 1 for the first column. */
  position: z.int(),
  /** From the header row (made unique), or "Column n". */
  name: z.string(),
  /** What at least 95% of the column's values are; the rest count as `nonConformingCount`. */
  type: z.enum(datasetColumnTypes),
  /** Cells that are neither empty nor a null marker. */
  valueCount: z.int(),
  /** Blank or whitespace-only cells. */
  emptyCount: z.int(),
  /** Null markers (NA, N/A, NULL, NaN, None...) and spreadsheet error cells. */
  nullCount: z.int(),
  /** Values that are not of `type`, left out of its statistics. */
  nonConformingCount: z.int(),
  /** Over the values as written; an estimate (HyperLogLog, about ±1%) when there were too many to count exactly. */
  distinct: z.object({ count: z.int(), exact: z.boolean() }),
  /** The most frequent values, with exact counts. */
  topValues: z.array(z.object({ value: z.string(), count: z.int() })),
  /**
   * False when the column had too many distinct values to count each one (1,000 to 20,000, fewer
   * the more columns): the candidates then come from a bounded frequent-values summary, sure to
   * hold every value filling more than 2 rows in that many, and are recounted exactly.
   */
  topValuesExact: z.boolean(),
  /** For number and integer columns. `stddev` is the sample standard deviation (n - 1). */
  numeric: z
    .object({
      min: z.number(),
      max: z.number(),
      mean: z.number(),
      stddev: z.number().nullable(),
      median: z.number(),
      /** False: the median of a uniform random sample of the values. */
      medianExact: z.boolean(),
      histogram: z.array(datasetHistogramBinSchema),
    })
    .nullable(),
  /** For date columns: ISO dates, or date-times when any value had a time. */
  dateRange: z.object({ min: z.string(), max: z.string() }).nullable(),
  /** For boolean columns. */
  booleans: z.object({ trueCount: z.int(), falseCount: z.int() }).nullable(),
});

/** Pearson's r over the rows where both columns have a number; null when a column is constant there. */
export const datasetCorrelationSchema = z.object({
  columnA: z.string(),
  columnB: z.string(),
  r: z.number().min(-1).max(1).nullable(),
  rows: z.int(),
});

export const datasetAnalysis = defineJob({
  kind: 'datasetAnalysis',
  version: 1,
  title: 'Dataset analysis',
  input: z.object({
    fileId: z.uuid('Choose a CSV or Excel file to analyse'),
    delimiter: z.enum(['auto', ...datasetDelimiters]).default('auto'),
    hasHeader: z.boolean().default(true),
    /** Excel files only; the first sheet when absent. */
    sheet: z.string().trim().min(1).max(31, 'An Excel sheet name is at most 31 characters').optional(),
  }),
  fileInputs: { fileId: ['csv', 'xlsx'] },
  progress: z.object({
    stage: z.enum(datasetAnalysisStages),
    /** Within the current pass over the file. */
    bytesRead: z.int().min(0),
    bytesTotal: z.int().min(0),
    rowsRead: z.int().min(0),
  }),
  output: z.object({
    file: z.object({
      name: z.string(),
      format: z.enum(['csv', 'xlsx']),
      size: z.int(),
      /** CSV only: the delimiter used, given or sniffed. */
      delimiter: z.string().nullable(),
      /** Excel only: the sheet analysed. */
      sheet: z.string().nullable(),
    }),
    /** Data rows, the header excluded; empty lines are skipped. */
    rowCount: z.int(),
    /** 2 when a second read was needed to keep histograms and top-value counts exact. */
    passes: z.int(),
    columns: z.array(datasetColumnSchema),
    /** Every pair of number and integer columns. */
    correlations: z.array(datasetCorrelationSchema),
    /** True when the file had more numeric columns than are correlated (the first ones are). */
    correlationsTruncated: z.boolean(),
    /** The XLSX report: a Summary sheet, a Correlations sheet and one sheet per column. */
    report: storedFileSchema,
  }),
  timeoutMs: 10 * 60_000,
  maxAttempts: 2,
});
