import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { JobFailure } from '@jobkit/worker';

/** The file's bytes from an offset to its end; the reader stops pulling once it has what it needs. */
export type ReadFrom = (fromByte: number) => AsyncIterable<Uint8Array>;

/** The bytes `[start, end)` of the file, pulled from `readFrom(start)`. */
async function* range(readFrom: ReadFrom, start: number, end: number): AsyncGenerator<Buffer> {
  let position = start;
  for await (const piece of readFrom(start)) {
    if (position >= end) return;
    const taken = Math.min(piece.byteLength, end - position);
    yield Buffer.from(piece.buffer, piece.byteOffset, taken);
    position += taken;
    if (position >= end) return;
  }
}

/** yauzl's reader over the stored file: each range it asks for is one read from that offset. */
class StoredFileReader extends yauzl.RandomAccessReader {
  constructor(private readonly readFrom: ReadFrom) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(range(this.readFrom, start, end), { objectMode: false });
  }
}

export function xlsxTooLarge(message: string): JobFailure {
  return new JobFailure('XLSX_TOO_LARGE', message, { retryable: false });
}

function megabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes.toLocaleString('en-US')} bytes`;
  return `${Math.ceil(bytes / (1024 * 1024)).toLocaleString('en-US')} MB`;
}

/**
 * A zip read by its central directory (at the end of the file), each entry opened where it lies:
 * so the parts of a workbook are read in the order they are needed, whatever order they were
 * written in, and nothing is ever buffered on disk. yauzl checks each entry's inflated bytes
 * against the size the directory declares, and the declared sizes count against `inflatedBudget`
 * before anything is inflated: a zip bomb is refused by what it declares, or cut off at it.
 */
export class XlsxZip {
  private inflatedLeft: number;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: ReadonlyMap<string, yauzl.Entry>,
    private readonly inflatedBudget: number,
  ) {
    this.inflatedLeft = inflatedBudget;
  }

  static async open(readFrom: ReadFrom, size: number, inflatedBudget: number): Promise<XlsxZip> {
    const zip = await yauzl.fromRandomAccessReaderPromise(new StoredFileReader(readFrom), size, {
      lazyEntries: true,
      autoClose: false,
      // Part names are compared as written; a name yauzl would refuse (absolute, "..") is just never asked for.
      strictFileNames: false,
    });
    const entries = new Map<string, yauzl.Entry>();
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName.replace(/^\//, ''), entry);
    return new XlsxZip(zip, entries, inflatedBudget);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's text (UTF-8), piece by piece as it inflates; undefined when there is no such part. */
  async *text(name: string): AsyncGenerator<string> {
    const entry = this.entries.get(name);
    if (!entry) return;
    if (entry.uncompressedSize > this.inflatedLeft) {
      throw xlsxTooLarge(
        `This workbook's part ${name} declares ${megabytes(entry.uncompressedSize)} uncompressed, past the ${megabytes(this.inflatedBudget)} ` +
          'an analysis inflates (its inflated-bytes budget). Save the sheet as CSV, or split it.',
      );
    }
    this.inflatedLeft -= entry.uncompressedSize;
    const stream = await this.zip.openReadStreamPromise(entry);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      for await (const piece of stream as AsyncIterable<Buffer>) yield decoder.decode(piece, { stream: true });
      yield decoder.decode();
    } catch (error) {
      // yauzl stops an entry at the size the directory declares: more is a lie, by damage or by design.
      if (error instanceof Error && error.message.startsWith('too many bytes')) {
        throw new JobFailure(
          'UNREADABLE_XLSX',
          `This workbook's part ${name} inflates to more than the ${megabytes(entry.uncompressedSize)} its zip directory declares: the file is damaged, or built to exhaust a reader.`,
          { retryable: false, cause: error },
        );
      }
      throw error;
    } finally {
      stream.destroy();
    }
  }

  close(): void {
    this.zip.close();
  }
}
