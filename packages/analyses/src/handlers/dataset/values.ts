/** A cell as a source hands it over: CSV gives strings, XLSX typed values and error cells. */
export type FieldValue = string | number | boolean | Date | { error: string } | null;

/** What a cell holds once read; `key` is the value as written, used for distinct and top values. */
export type Cell =
  | { kind: 'empty' }
  | { kind: 'null' }
  | { kind: 'number'; value: number; key: string }
  | { kind: 'boolean'; value: boolean; key: string }
  | { kind: 'date'; time: number; hasTime: boolean; key: string }
  | { kind: 'text'; key: string };

const emptyCell: Cell = { kind: 'empty' };
const nullCell: Cell = { kind: 'null' };

/** The markers pandas reads as missing by default (case-sensitive, as there), `''` aside. */
const nullMarkers = new Set(['#N/A', '#NA', 'N/A', 'n/a', 'NA', '<NA>', 'NULL', 'null', 'NaN', 'nan', '-NaN', '-nan', 'None']);

const booleanWords = new Map([
  ['true', true],
  ['yes', true],
  ['false', false],
  ['no', false],
]);

const decimalNumber = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const decimalCommaNumber = /^[+-]?\d+,\d+$/;
/** Codes such as ZIP codes and IDs keep their leading zeros: they are text, not numbers. */
const leadingZero = /^[+-]?0\d/;
const startsWithYear = /^\d{4}[-/]/;
const isoDate =
  /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface ClassifyOptions {
  /** Semicolon- and tab-separated files from European locales write 3,5 for 3.5. */
  decimalComma: boolean;
}

export function classify(field: FieldValue, options: ClassifyOptions): Cell {
  if (field === null) return emptyCell;
  if (typeof field === 'number') {
    return Number.isFinite(field) ? { kind: 'number', value: field, key: String(field) } : nullCell;
  }
  if (typeof field === 'boolean') return { kind: 'boolean', value: field, key: String(field) };
  if (field instanceof Date) return dateCell(field.getTime());
  if (typeof field === 'object') return nullCell;
  return classifyText(field.trim(), options);
}

function classifyText(text: string, options: ClassifyOptions): Cell {
  if (text === '') return emptyCell;
  if (nullMarkers.has(text)) return nullCell;
  const number = parseNumber(text, options);
  if (number !== undefined) return { kind: 'number', value: number, key: text };
  // Cheap checks first: most text is neither a boolean word nor starts like a date.
  const boolean = text.length <= 5 ? booleanWords.get(text.toLowerCase()) : undefined;
  if (boolean !== undefined) return { kind: 'boolean', value: boolean, key: text };
  const date = text.length >= 10 && startsWithYear.test(text) ? parseDate(text) : undefined;
  if (date !== undefined) return { kind: 'date', time: date.time, hasTime: date.hasTime, key: text };
  return { kind: 'text', key: text };
}

function parseNumber(text: string, { decimalComma }: ClassifyOptions): number | undefined {
  if (leadingZero.test(text)) return undefined;
  if (decimalNumber.test(text)) return finite(Number(text));
  if (decimalComma && decimalCommaNumber.test(text)) return finite(Number(text.replace(',', '.')));
  return undefined;
}

function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/**
 * ISO 8601 dates and date-times (also with `/` or a space), the forms that cannot be misread:
 * 03/04/2024 is March or April depending on who wrote it, so it stays text. Without an offset a
 * time is taken as UTC.
 */
export function parseDate(text: string): { time: number; hasTime: boolean } | undefined {
  const match = isoDate.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const [y, mo, d, h, mi, sec] = [Number(year), Number(month), Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return undefined;
  const time = Date.UTC(y, mo - 1, d, h, mi, sec, Number(`0.${fraction ?? '0'}`) * 1000);
  return { time: time - offsetMinutes(offset) * 60_000, hasTime: hour !== undefined };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset === 'Z') return 0;
  const digits = offset.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return digits.startsWith('-') ? -minutes : minutes;
}

function dateCell(time: number): Cell {
  if (!Number.isFinite(time)) return nullCell;
  const hasTime = time % 86_400_000 !== 0;
  return { kind: 'date', time, hasTime, key: formatDate(time, hasTime) };
}

export function formatDate(time: number, withTime: boolean): string {
  const iso = new Date(time).toISOString();
  return withTime ? iso : iso.slice(0, 10);
}
