import { JobFailure } from '@jobkit/worker';
import type { FieldValue } from './values.ts';
import { parseXml, readDateStyles, readSharedStrings, readWorkbookLayout } from './xlsx-parts.ts';
import { xlsxTooLarge, XlsxZip, type ReadFrom } from './xlsx-zip.ts';

/**
 * How much work one workbook may cause, checked while it streams, so a small file that inflates
 * to a huge sheet (a rows bomb, a zip bomb) is refused at the budget, not after the job's timeout.
 */
export interface XlsxBudget {
  /** Rows of the sheet, empty ones included (Excel's own limit is 1,048,576). */
  maxRows: number;
  /** Rows × the widest row so far: what the analysis loops over. */
  maxCells: number;
  /** Bytes inflated from the zip, all parts read together, counted by what the zip declares. */
  maxInflatedBytes: number;
  /** Characters of the shared-strings table, which is held whole. */
  maxSharedStringCharacters: number;
}

export const defaultXlsxBudget: XlsxBudget = {
  maxRows: 1_048_576,
  maxCells: 20_000_000,
  maxInflatedBytes: 512 * 1024 * 1024,
  maxSharedStringCharacters: 50_000_000,
};

const count = (value: number) => value.toLocaleString('en-US');

/** `B12` → 1 (columns from 0); undefined for a reference that is not one. */
function columnOf(reference: string): number | undefined {
  let column = 0;
  let index = 0;
  for (; index < reference.length; index++) {
    const code = reference.charCodeAt(index);
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return index === 0 || column > 16_384 ? undefined : column - 1;
}

/** Excel's day numbers as dates: 1900-based (with its phantom 29 February 1900) or 1904-based. */
function dateOf(serial: number, date1904: boolean): Date {
  const days = date1904 ? serial + 1462 : serial < 60 ? serial + 1 : serial;
  return new Date(Math.round((days - 25_569) * 86_400_000));
}

interface CellState {
  column: number;
  type: string;
  dateStyle: boolean;
  value: string;
}

/**
 * Reads one sheet of an XLSX workbook row by row, straight from the stored file: the zip's
 * directory first, then the workbook's layout, shared strings and styles, then the sheet, each
 * part inflated and parsed (SAX) as it streams. No temporary file, whatever order the parts were
 * written in. What is held whole: the shared strings (text cells point into them) and the styles
 * (the only way to tell a date from a number). `sheet` picks a sheet by name; the first otherwise.
 */
export async function readXlsx(
  readFrom: ReadFrom,
  size: number,
  options: { sheet?: string | undefined; budget?: XlsxBudget | undefined },
  onRecord: (fields: readonly FieldValue[]) => void,
): Promise<{ sheet: string }> {
  const budget = options.budget ?? defaultXlsxBudget;
  // A failing read of the stored file is that error, not "this is no workbook".
  let readError: Error | undefined;
  const reading: ReadFrom = (fromByte) =>
    (async function* () {
      try {
        yield* readFrom(fromByte);
      } catch (error) {
        readError ??= error instanceof Error ? error : new Error('Reading the file failed', { cause: error });
        throw error;
      }
    })();
  let zip: XlsxZip | undefined;
  try {
    zip = await XlsxZip.open(reading, size, budget.maxInflatedBytes);
    const layout = await readWorkbookLayout(zip);
    if (!layout) throw unreadable();
    const chosen = options.sheet === undefined ? layout.sheets[0] : layout.sheets.find(({ name }) => name === options.sheet);
    if (!chosen) {
      throw new JobFailure(
        'SHEET_NOT_FOUND',
        options.sheet === undefined
          ? 'This workbook has no sheet.'
          : `This workbook has no sheet named "${options.sheet}"; its sheets are: ${layout.sheets.map(({ name }) => `"${name}"`).join(', ')}.`,
        { retryable: false },
      );
    }
    if (chosen.part === undefined || !zip.has(chosen.part)) throw unreadable();
    const strings = await readSharedStrings(zip, layout.sharedStrings, budget.maxSharedStringCharacters, () =>
      xlsxTooLarge(
        `This workbook's shared strings hold more than ${count(budget.maxSharedStringCharacters)} characters, the most an analysis keeps (its text budget). Save the sheet as CSV.`,
      ),
    );
    const dateStyles = await readDateStyles(zip, layout.styles);
    await readSheet(zip, chosen.part, { strings, dateStyles, date1904: layout.date1904, budget, sheetName: chosen.name }, onRecord);
    return { sheet: chosen.name };
  } catch (error) {
    if (readError !== undefined) throw readError;
    if (error instanceof JobFailure) throw error;
    throw unreadable(error);
  } finally {
    zip?.close();
  }
}

function unreadable(cause?: unknown): JobFailure {
  return new JobFailure('UNREADABLE_XLSX', 'This file does not read as an Excel workbook (XLSX); it may be damaged.', {
    retryable: false,
    cause,
  });
}

interface SheetContext {
  strings: readonly string[];
  dateStyles: readonly boolean[];
  date1904: boolean;
  budget: XlsxBudget;
  sheetName: string;
}

async function readSheet(zip: XlsxZip, part: string, context: SheetContext, onRecord: (fields: readonly FieldValue[]) => void) {
  const { strings, dateStyles, date1904, budget, sheetName } = context;
  let rows = 0;
  let cells = 0;
  let width = 0;
  let fields: FieldValue[] = [];
  let cell: CellState | undefined;
  let nextColumn = 0;
  let inValue = false;

  const valueOf = ({ type, value, dateStyle }: CellState): FieldValue => {
    if (type === 'inlineStr' || type === 'str') return value;
    if (value === '') return null;
    if (type === 's') return strings[Number(value)] ?? null;
    if (type === 'b') return value === '1' || value === 'true';
    if (type === 'e') return { error: value };
    if (type === 'd') return new Date(value);
    const number = Number(value);
    if (!Number.isFinite(number)) return value;
    return dateStyle ? dateOf(number, date1904) : number;
  };

  await parseXml(zip.text(part), {
    open(name, attributes) {
      if (name === 'row') {
        rows++;
        if (rows > budget.maxRows) {
          throw xlsxTooLarge(`The sheet "${sheetName}" has more than ${count(budget.maxRows)} rows, the most an analysis reads (its row budget). Save it as CSV, or split it.`);
        }
        fields = [];
        nextColumn = 0;
      } else if (name === 'c') {
        const column = attributes.r === undefined ? nextColumn : columnOf(attributes.r);
        if (column === undefined) throw unreadable();
        nextColumn = column + 1;
        const style = Number(attributes.s ?? 0);
        cell = { column, type: attributes.t ?? 'n', dateStyle: dateStyles[style] ?? false, value: '' };
      } else if (cell && (name === 'v' || (name === 't' && cell.type === 'inlineStr'))) {
        inValue = true;
      }
    },
    text(text) {
      if (inValue && cell) cell.value += text;
    },
    close(name) {
      if (name === 'v' || name === 't') inValue = false;
      else if (name === 'c' && cell) {
        fields[cell.column] = valueOf(cell);
        cell = undefined;
      } else if (name === 'row') {
        width = Math.max(width, fields.length);
        cells += width;
        if (cells > budget.maxCells) {
          throw xlsxTooLarge(
            `The sheet "${sheetName}" has more than ${count(budget.maxCells)} cells (rows × columns), the most an analysis reads (its cell budget). Save it as CSV, or split it.`,
          );
        }
        // Cells that are absent are holes; Array.from makes them empty fields.
        const record = Array.from(fields, (field) => field ?? null);
        if (record.some((field) => field !== null)) onRecord(record);
      }
    },
  });
}
