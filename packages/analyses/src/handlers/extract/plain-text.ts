import { JobFailure } from '@jobkit/worker';

/** UTF-8 text with its BOM dropped and every line ending as `\n`; other encodings are refused. */
export function decodeUtf8(bytes: Uint8Array): string {
  if (startsWithUtf16Bom(bytes)) {
    throw new JobFailure(
      'INVALID_TEXT_ENCODING',
      'This text file is saved as UTF-16 ("Unicode" in Notepad), which is not supported. Save it as UTF-8 and upload it again.',
      { retryable: false },
    );
  }
  try {
    // ignoreBOM: false is what removes a leading BOM.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes).replace(/\r\n?/g, '\n');
  } catch (error) {
    throw new JobFailure('INVALID_TEXT_ENCODING', describeInvalidByte(bytes), { retryable: false, cause: error });
  }
}

function startsWithUtf16Bom(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

const newline = 0x0a;
const contextCharacters = 30;

function describeInvalidByte(bytes: Uint8Array): string {
  const offset = firstInvalidByte(bytes);
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (bytes[index] === newline) {
      line++;
      lineStart = index + 1;
    }
  }
  // Everything before the first invalid byte decodes; it shows the person where to look.
  const before = new TextDecoder().decode(bytes.subarray(lineStart, offset)).trim().slice(-contextCharacters);
  const where = before ? `line ${line}, right after "${before}"` : `the start of line ${line}`;
  return (
    `This text file is not valid UTF-8: the byte at ${where} (byte ${offset + 1} of the file) is not UTF-8. ` +
    'It was probably saved in another encoding, such as Windows-1252 or Latin-1. Save it as UTF-8 and upload it again.'
  );
}

/**
 * Binary search for the shortest prefix that fails to decode (a streaming decode accepts a
 * character cut at the end of a prefix), then back to the start of the broken character.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  let valid = 0;
  let invalid = bytes.length;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      valid = middle;
    } catch {
      invalid = middle;
    }
  }
  const detected = invalid - 1;
  // The decoder notices a broken character at the byte that fails to continue it.
  let start = detected - 1;
  while (start >= detected - 3 && isContinuation(bytes[start])) start--;
  return start >= detected - 3 && sequenceLength(bytes[start]) > detected - start ? start : detected;
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x80 && byte <= 0xbf;
}

function sequenceLength(lead: number | undefined): number {
  if (lead === undefined || lead < 0xc2 || lead > 0xf4) return 0;
  return lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}
