import { bodyText, headingLine, tidySpaces } from './markdown.ts';

/** A run of text as pdf.js places it: PDF user space, y growing upwards, at the baseline. */
export interface PlacedText {
  text: string;
  x: number;
  y: number;
  width: number;
  fontSize: number;
  /** pdf.js saw the line end after this run. */
  endsLine: boolean;
}

export interface TextLine {
  text: string;
  /** Baseline of the line's first run. */
  y: number;
  left: number;
  right: number;
  /** The size most of the line's characters have: a superscript does not make a line a heading. */
  fontSize: number;
}

/** Runs more than half a character height apart vertically belong to different lines. */
const sameLineTolerance = 0.5;
/** A gap wider than this share of the font size between two runs is a word space. */
const wordGapRatio = 0.2;

/** A page's runs joined into lines, top to bottom as the page's content stream draws them. */
export function linesOf(runs: readonly PlacedText[]): TextLine[] {
  const lines: TextLine[] = [];
  let parts: string[] = [];
  let first: PlacedText | undefined;
  let right = 0;
  let charactersBySize = new Map<number, number>();

  const finishLine = () => {
    const text = tidySpaces(parts.join('').replace(/\u00ad/g, ''));
    if (first && text) lines.push({ text, y: first.y, left: first.x, right, fontSize: mostCommon(charactersBySize) });
    parts = [];
    first = undefined;
    charactersBySize = new Map();
  };

  for (const run of runs) {
    if (first && Math.abs(run.y - first.y) > sameLineTolerance * Math.max(run.fontSize, first.fontSize)) finishLine();
    if (run.text) {
      if (!first) first = run;
      else if (!/\s$/.test(parts.at(-1) ?? '') && !/^\s/.test(run.text) && run.x - right > wordGapRatio * run.fontSize) {
        parts.push(' ');
      }
      parts.push(run.text);
      right = first === run ? run.x + run.width : Math.max(right, run.x + run.width);
      const size = roundedSize(run.fontSize);
      charactersBySize.set(size, (charactersBySize.get(size) ?? 0) + run.text.trim().length);
    }
    if (run.endsLine) finishLine();
  }
  finishLine();
  return lines;
}

function roundedSize(size: number): number {
  return Math.round(size * 2) / 2;
}

function mostCommon(counts: Map<number, number>): number {
  let best = 0;
  let bestCount = -1;
  for (const [value, count] of counts) {
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
}

/** Blocks in type this much larger than the body text, short and not ending a sentence, are headings. */
const headingSizeRatio = 1.15;
const headingMaxLength = 200;
/** Below this share of the page's usual line width, a line is the last of its paragraph. */
const shortLineRatio = 0.7;
/** A gap this much above the usual line spacing (for the font size) separates paragraphs. */
const paragraphGapRatio = 1.3;

/** Lines in one size that follow each other at line spacing: a paragraph, a list item or a heading. */
interface Block {
  fontSize: number;
  lines: string[];
  left: number;
  isListItem: boolean;
}

const bullet = /^[•◦▪▫‣⁃●○■□∙·]\s*/u;
/** "2.1 Naming . . . . . 3": a table of contents entry, one per line and no heading itself. */
const contentsEntry = /(?:\.\s?){4,}\s*(?:\d+|[ivxlc]+)$/i;

/**
 * The pages as Markdown: headings by font size (the largest size is `#`), paragraphs rejoined
 * into single lines so the sentences in them stay whole, pages separated by blank lines.
 */
export function markdownOfPages(pages: readonly TextLine[][]): string {
  const charactersBySize = new Map<number, number>();
  for (const line of pages.flat()) {
    charactersBySize.set(line.fontSize, (charactersBySize.get(line.fontSize) ?? 0) + line.text.length);
  }
  const bodySize = mostCommon(charactersBySize);
  const pageBlocks = pages.map((lines) => blocksOf(lines, bodySize));
  const headingSizes = new Set(pageBlocks.flat().flatMap((block) => (isHeading(block, bodySize) ? [block.fontSize] : [])));
  const levels = new Map([...headingSizes].sort((a, b) => b - a).map((size, index) => [size, Math.min(index + 1, 6)]));
  const markdownOf = (block: Block) => {
    const level = isHeading(block, bodySize) ? levels.get(block.fontSize) : undefined;
    if (level !== undefined) return headingLine(level, block.lines.join(' '));
    const text = joinLines(block.lines);
    return block.isListItem ? text.replace(bullet, '- ') : bodyText(text);
  };
  return pageBlocks
    .map((blocks) => blocks.map(markdownOf).join('\n\n'))
    .filter((page) => page.length > 0)
    .join('\n\n');
}

function isHeading(block: Block, bodySize: number): boolean {
  const text = block.lines.join(' ');
  return (
    block.fontSize >= bodySize * headingSizeRatio &&
    text.length <= headingMaxLength &&
    !/[.,;]$/.test(text) &&
    !contentsEntry.test(text) &&
    /\p{L}/u.test(text)
  );
}

function blocksOf(lines: readonly TextLine[], bodySize: number): Block[] {
  const body = lines.filter((line) => line.fontSize === bodySize);
  const usualWidth = percentile(
    body.map((line) => line.right - line.left),
    0.8,
  );
  const usualSpacing = percentile(
    body.slice(1).flatMap((line, index) => {
      const gap = (body[index]?.y ?? line.y) - line.y;
      return gap > 0 ? [gap] : [];
    }),
    0.5,
  );
  const blocks: Block[] = [];
  let previous: TextLine | undefined;
  for (const line of lines) {
    const gap = previous ? previous.y - line.y : 0;
    // Larger type is set with proportionally larger line spacing.
    const spacing = usualSpacing > 0 ? usualSpacing * (line.fontSize / bodySize) : line.fontSize * 1.2;
    const current = blocks.at(-1);
    const startsBlock =
      !previous ||
      !current ||
      previous.fontSize !== line.fontSize ||
      gap <= 0 ||
      gap > spacing * paragraphGapRatio ||
      previous.right - previous.left < usualWidth * shortLineRatio ||
      bullet.test(line.text) ||
      contentsEntry.test(previous.text) ||
      // A list item's next lines are indented past its bullet; a line that is not ends the list.
      (current.isListItem && line.left <= current.left + line.fontSize / 2);
    if (startsBlock) {
      blocks.push({ fontSize: line.fontSize, lines: [line.text], left: line.left, isListItem: bullet.test(line.text) });
    } else {
      current.lines.push(line.text);
    }
    previous = line;
  }
  return blocks;
}

/** Lines of one paragraph as one line; a word hyphenated across lines is whole again. */
function joinLines(lines: readonly string[]): string {
  return lines.reduce((joined, line) =>
    /\p{L}-$/u.test(joined) && /^\p{Ll}/u.test(line) ? joined.slice(0, -1) + line : `${joined} ${line}`,
  );
}

function percentile(values: readonly number[], share: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}
