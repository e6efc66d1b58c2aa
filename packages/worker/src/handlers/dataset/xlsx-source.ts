import ExcelJS, { type CellValue, type Row } from 'exceljs';
import { Readable } from 'node:stream';
import { JobFailure } from '../../handler.ts';
import type { FieldValue } from './values.ts';

/**
 * Reads one sheet of an XLSX workbook row by row with exceljs' streaming reader, which unzips and
 * parses the sheet's XML as the bytes come, holding one row at a time. What it does keep whole are
 * the shared-strings table (each text cell points into it, so it cannot stream) and the styles (the
 * only way to tell a date from a number). `sheet` picks a sheet by name; the first one otherwise.
 */
export async function readXlsx(
  chunks: AsyncIterable<Buffer>,
  options: { sheet?: string | undefined },
  onRecord: (fields: readonly FieldValue[]) => void,
): Promise<{ sheet: string }> {
  // exceljs pipes its input into the unzipper, and a pipe does not pass errors on: a failing read
  // would leave the reader waiting forever. Ending the input instead makes the unzipper fail
  // ("FILE_ENDED"); the read's own error is then the one thrown.
  let readError: Error | undefined;
  async function* endOnError(): AsyncGenerator<Buffer> {
    try {
      yield* chunks;
    } catch (error) {
      readError = error instanceof Error ? error : new Error('Reading the file failed', { cause: error });
    }
  }
  const input = Readable.from(endOnError(), { highWaterMark: 1 });
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const sheetNames: string[] = [];
  let chosen: string | undefined;
  try {
    for await (const sheet of reader) {
      const name = 'name' in sheet && typeof sheet.name === 'string' ? sheet.name : `Sheet ${sheetNames.length + 1}`;
      sheetNames.push(name);
      if (options.sheet !== undefined && name !== options.sheet) continue;
      chosen = name;
      for await (const row of sheet) {
        const fields = fieldsOf(row);
        if (fields.some((field) => field !== null)) onRecord(fields);
      }
      // The rest of the workbook is of no use: stop reading it.
      break;
    }
  } catch (error) {
    if (readError !== undefined) throw readError;
    if (error instanceof JobFailure) throw error;
    throw new JobFailure('UNREADABLE_XLSX', 'This file does not read as an Excel workbook (XLSX); it may be damaged.', {
      retryable: false,
      cause: error,
    });
  } finally {
    input.destroy();
  }
  if (readError !== undefined) throw readError;
  if (chosen === undefined) {
    throw new JobFailure(
      'SHEET_NOT_FOUND',
      options.sheet === undefined
        ? 'This workbook has no sheet.'
        : `This workbook has no sheet named "${options.sheet}"; its sheets are: ${sheetNames.map((name) => `"${name}"`).join(', ')}.`,
      { retryable: false },
    );
  }
  return { sheet: chosen };
}

function fieldsOf(row: Row): FieldValue[] {
  const { values } = row;
  // exceljs puts column A at index 1; cells that are absent are holes, which Array.from fills.
  return Array.isArray(values) ? Array.from(values.slice(1), fieldOf) : [];
}

/** Formulas count by their cached result, links by their text, error cells (#N/A, #DIV/0!...) as missing. */
function fieldOf(value: CellValue): FieldValue {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return { error: value.error };
  return value.result === undefined ? null : fieldOf(value.result);
}
