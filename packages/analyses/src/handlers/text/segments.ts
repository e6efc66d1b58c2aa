/**
 * Intl.Segmenter in bounded memory. Node 20's V8 copies the whole input string into every segment
 * it yields (the segment's `input`, rebuilt from ICU's copy each time; Node 24 shares one), so
 * segmenting a 500,000-character text allocated ~0.5-1 MB per sentence and per word, and keeping the
 * segments (`[...segmenter.segment(text)]`) kept every copy: gigabytes for one document. Segmenting
 * short windows of the text instead bounds each copy by the window.
 *
 * The segments are the same as over the whole text: ICU finds each boundary moving forward from the
 * one before, so a window that starts at a boundary continues exactly as the whole text would. A
 * window's segments are kept only up to a boundary `lookahead` characters before its cut, because
 * the rules peek a little past a boundary (the next letter after "etc. ", a digit after "3."), and
 * the next window starts there. A segment longer than a window (a sentence with no full stop) widens
 * the window until it fits.
 */
const windowLength = 4_096;
const lookahead = 256;

export interface TextSegment {
  segment: string;
  /** For word granularity: a word rather than spaces or punctuation. */
  isWordLike: boolean;
}

export function* segmentsOf(segmenter: Intl.Segmenter, text: string): Generator<TextSegment, void, undefined> {
  let start = 0;
  let length = windowLength;
  while (start < text.length) {
    const isLast = start + length >= text.length;
    const window = text.slice(start, start + length);
    const kept: TextSegment[] = [];
    let keptLength = 0;
    for (const { segment, index, isWordLike } of segmenter.segment(window)) {
      if (!isLast && index + segment.length > window.length - lookahead) break;
      kept.push({ segment, isWordLike: isWordLike === true });
      keptLength = index + segment.length;
    }
    if (keptLength === 0) {
      length *= 2;
      continue;
    }
    yield* kept;
    start += keptLength;
    length = windowLength;
  }
}
