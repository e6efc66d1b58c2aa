import { inflateRawSync } from 'node:zlib';

/** One file in a ZIP archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const endOfDirectorySignature = 0x06054b50;
const directoryEntrySignature = 0x02014b50;
const localHeaderSignature = 0x04034b50;
const endOfDirectorySize = 22;
const maxCommentSize = 0xffff;
const zip64Marker = 0xffffffff;
const zip64ExtraField = 0x0001;
const stored = 0;
const deflated = 8;

/** The archive's entries, read from its central directory; a ZipFormatError if it is not a ZIP. */
export function zipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEndOfDirectory(view);
  const directoryOffset = view.getUint32(end + 16, true);
  if (directoryOffset === zip64Marker) throw new ZipFormatError('ZIP64 archives are not supported');
  const entries: ZipEntry[] = [];
  const names = new TextDecoder();
  // Walking entries until the signature stops, rather than trusting the count, also covers ZIP64 counts.
  for (let at = directoryOffset; at + 46 <= end && view.getUint32(at, true) === directoryEntrySignature; ) {
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const sizes = {
      uncompressed: view.getUint32(at + 24, true),
      compressed: view.getUint32(at + 20, true),
      offset: view.getUint32(at + 42, true),
    };
    readZip64Sizes(view, at + 46 + nameLength, extraLength, sizes);
    entries.push({
      name: names.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      compressedSize: sizes.compressed,
      localHeaderOffset: sizes.offset,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (entries.length === 0) throw new ZipFormatError('the archive lists no files');
  return entries;
}

function findEndOfDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - endOfDirectorySize - maxCommentSize);
  for (let at = view.byteLength - endOfDirectorySize; at >= lowest; at--) {
    if (view.getUint32(at, true) === endOfDirectorySignature) return at;
  }
  throw new ZipFormatError('it is not a ZIP archive');
}

/** Sizes too large for 32 bits are in the ZIP64 extra field, in this order, only where marked. */
function readZip64Sizes(
  view: DataView,
  start: number,
  length: number,
  sizes: { uncompressed: number; compressed: number; offset: number },
): void {
  for (let at = start; at + 4 <= start + length; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === zip64ExtraField) {
      let field = at + 4;
      for (const key of ['uncompressed', 'compressed', 'offset'] as const) {
        if (sizes[key] !== zip64Marker || field + 8 > at + 4 + size) continue;
        sizes[key] = Number(view.getBigUint64(field, true));
        field += 8;
      }
      return;
    }
    at += 4 + size;
  }
}

/**
 * The unpacked size of the entries, counted by inflating them (sizes in the directory are the
 * archive's own claim, so a crafted file could understate them); Infinity once it passes `limit`.
 */
export function unpackedSize(bytes: Uint8Array, entries: readonly ZipEntry[], limit: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  for (const entry of entries) {
    const start = entry.localHeaderOffset;
    if (start + 30 > bytes.length || view.getUint32(start, true) !== localHeaderSignature) {
      throw new ZipFormatError(`the archive's entry for ${entry.name} is damaged`);
    }
    const dataStart = start + 30 + view.getUint16(start + 26, true) + view.getUint16(start + 28, true);
    const data = bytes.subarray(dataStart, dataStart + entry.compressedSize);
    if (entry.method === stored) total += data.length;
    else if (entry.method === deflated) total += inflatedLength(data, limit - total, entry.name);
    else throw new ZipFormatError(`${entry.name} is compressed with an unsupported method (${entry.method})`);
    if (total > limit) return Infinity;
  }
  return total;
}

function inflatedLength(data: Uint8Array, budget: number, name: string): number {
  try {
    // The output stops one byte past the budget: enough to know it is over, without unpacking a bomb.
    return inflateRawSync(data, { maxOutputLength: Math.max(1, budget + 1) }).length;
  } catch (error) {
    if (error instanceof RangeError) return Infinity;
    throw new ZipFormatError(`${name} is damaged (${error instanceof Error ? error.message : String(error)})`);
  }
}
