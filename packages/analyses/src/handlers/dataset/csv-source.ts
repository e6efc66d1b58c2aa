import type { datasetDelimiters } from '../../contracts/index.ts';
import { CsvError, parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { JobFailure } from '@jobkit/worker';

export type Delimiter = (typeof datasetDelimiters)[number];

/** Enough lines to sniff the delimiter from, small enough to decode at once. */
const sniffBytes = 64 * 1024;
const sniffRecords = 50;
/** Ties go to the first: a semicolon- or tab-separated file often has decimal commas in every row too. */
const sniffOrder: readonly Delimiter[] = ['\t', ';', '|', ','];
const utf8CheckSlice = 16 * 1024;
/** Bounds the memory of one row; a wrong delimiter or a stray quote is the usual reason to reach it. */
const maxRecordCharacters = 1_000_000;

export interface CsvReader {
  delimiter: Delimiter;
  /** Parses the file, calling `onRecord` for each non-empty line. Every line must have as many fields as the first. */
  parse(onRecord: (fields: readonly string[]) => void): Promise<void>;
}

/**
 * Reads the first 64 KiB to check the text and settle the delimiter, then parses the whole file
 * as it streams in (csv-parse: RFC 4180 quoting, any line ending, a UTF-8 BOM dropped).
 */
export async function openCsv(chunks: AsyncIterable<Buffer>, delimiterOption: Delimiter | 'auto'): Promise<CsvReader> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  let delimiter: Delimiter;
  let firstLineFields: number | undefined;
  try {
    while (headBytes < sniffBytes && !ended) {
      const next = await iterator.next();
      if (next.done === true) ended = true;
      else {
        head.push(next.value);
        headBytes += next.value.byteLength;
      }
    }
    const headText = decodeHead(Buffer.concat(head, Math.min(headBytes, sniffBytes)));
    delimiter = delimiterOption === 'auto' ? sniffDelimiter(headText, ended) : delimiterOption;
    // For the message about a row of another length, which csv-parse may raise before handing over the first row.
    firstLineFields = unquotedLines(headText, ended)[0]?.split(delimiter).length;
  } catch (error) {
    await iterator.return?.();
    throw error;
  }

  // The head was taken from the iterator: the parser gets it back first, then the rest.
  async function* everything(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      while (!ended) {
        const next = await iterator.next();
        if (next.done === true) ended = true;
        else yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  async function parseAll(onRecord: (fields: readonly string[]) => void): Promise<void> {
    try {
      await pipeline(
        Readable.from(utf8Checked(everything()), { highWaterMark: 1 }),
        parse({ delimiter, bom: true, relax_quotes: true, skip_empty_lines: true, max_record_size: maxRecordCharacters }),
        async (records: AsyncIterable<unknown>) => {
          for await (const record of records) {
            if (!isStringArray(record)) throw new Error('csv-parse gave a record that is not an array of strings');
            onRecord(record);
          }
        },
      );
    } catch (error) {
      if (error instanceof CsvError) throw failureFor(error, delimiter, firstLineFields);
      throw error;
    }
  }

  return { delimiter, parse: parseAll };
}

function decodeHead(bytes: Buffer): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new JobFailure(
      'INVALID_TEXT_ENCODING',
      'This CSV file is saved as UTF-16 ("Unicode" in Excel), which is not supported. Save it as "CSV UTF-8" and upload it again.',
      { retryable: false },
    );
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.includes('\u0000')) {
    throw new JobFailure('NOT_CSV', 'This file holds binary data, so it is not a CSV file.', { retryable: false });
  }
  return text;
}

/** Streams the bytes through a fatal decoder, so a file in another encoding fails instead of reading as garbled text. */
async function* utf8Checked(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Buffer) => {
    try {
      decoder.decode(chunk, { stream: chunk !== undefined });
    } catch (error) {
      throw new JobFailure(
        'INVALID_TEXT_ENCODING',
        'This CSV file is not valid UTF-8: it was probably saved in another encoding, such as Windows-1252 or Latin-1. ' +
          'Save it as "CSV UTF-8" and upload it again.',
        { retryable: false, cause: error },
      );
    }
  };
  for await (const chunk of chunks) {
    // In slices: the decoded text is thrown away, and small strings are the cheapest garbage to collect.
    for (let start = 0; start < chunk.byteLength; start += utf8CheckSlice) decode(chunk.subarray(start, start + utf8CheckSlice));
    yield chunk;
  }
  decode();
}

/**
 * The candidate that appears the same number of times (outside quotes) on the most of the first
 * lines; comma when none appears at all (a one-column file).
 */
export function sniffDelimiter(head: string, complete: boolean): Delimiter {
  const lines = unquotedLines(head, complete).slice(0, sniffRecords);
  let best: Delimiter = ',';
  let bestConsistency = 0;
  for (const candidate of sniffOrder) {
    const counts = lines.map((line) => line.split(candidate).length - 1);
    const frequency = new Map<number, number>();
    for (const count of counts) if (count > 0) frequency.set(count, (frequency.get(count) ?? 0) + 1);
    const modeLines = Math.max(0, ...frequency.values());
    const consistency = modeLines / Math.max(1, lines.length);
    if (consistency > bestConsistency) {
      best = candidate;
      bestConsistency = consistency;
    }
  }
  return best;
}

/** The records of `text` with quoted parts removed, so a delimiter inside quotes does not count. */
function unquotedLines(text: string, complete: boolean): string[] {
  const lines: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) {
      if (current !== '') lines.push(current);
      current = '';
    } else if (!quoted) current += char;
  }
  // A head cut mid-file ends with a partial line, which would count as inconsistent.
  if (complete && current !== '') lines.push(current);
  return lines;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((field) => typeof field === 'string');
}

function failureFor(error: CsvError, delimiter: Delimiter, firstLineFields: number | undefined): JobFailure {
  const line = typeof error.lines === 'number' ? `Line ${error.lines}` : 'A line';
  const named = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'vertical bar' }[delimiter];
  const message = (() => {
    // csv-parse has about twenty codes; most are option misuse this code never makes, so they
    // share the `default` message rather than each getting a case.
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check
    switch (error.code) {
      case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
        const fields = Array.isArray(error.record) ? `${error.record.length} fields` : 'a number of fields';
        const expected = firstLineFields === undefined ? 'another' : String(firstLineFields);
        return (
          `${line} has ${fields} where the first line has ${expected}: every row needs the same number. ` +
          `Check that the delimiter is the ${named} and that values containing it are in double quotes.`
        );
      }
      case 'CSV_QUOTE_NOT_CLOSED':
        return 'A double quote opened in this file is never closed, so the rest of the file would be one value.';
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
        return `${line} has a quoted value followed by other characters before the next ${named}: a double quote inside a quoted value must be doubled ("").`;
      case 'CSV_MAX_RECORD_SIZE':
        return `${line} is longer than ${maxRecordCharacters.toLocaleString('en')} characters: the file is probably not CSV, or uses another delimiter.`;
      default:
        return `This file does not read as CSV: ${error.message}`;
    }
  })();
  return new JobFailure('MALFORMED_CSV', message, { retryable: false, cause: error });
}
