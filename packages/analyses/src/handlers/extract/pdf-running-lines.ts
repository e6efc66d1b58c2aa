import type { TextLine } from './pdf-layout.ts';

/** A line is a running header or footer when it is the top or bottom line of this share of pages. */
const runningShare = 0.6;
const minimumPages = 3;

/**
 * The pages without their running headers and footers ("Page 3 of 9", a title repeated on every
 * page): they would otherwise land in the middle of sentences that cross a page break.
 */
export function withoutRunningLines(pages: readonly TextLine[][]): TextLine[][] {
  if (pages.length < minimumPages) return pages.map((lines) => [...lines]);
  const needed = Math.max(minimumPages, Math.ceil(pages.length * runningShare));
  const headers = pages.map(topLine);
  const footers = pages.map(bottomLine);
  const repeatedHeaders = keysSeen(headers, needed);
  const repeatedFooters = keysSeen(footers, needed);
  return pages.map((lines, page) =>
    lines.filter(
      (line) =>
        !(line === headers[page] && repeatedHeaders.has(runningKey(line))) &&
        !(line === footers[page] && repeatedFooters.has(runningKey(line))),
    ),
  );
}

/**
 * Page numbers change from page to page; the rest of a running line does not. The size tells a
 * running title from the same words as the first page's heading.
 */
function runningKey(line: TextLine): string {
  return `${line.fontSize}:${line.text.replace(/\d+/g, '#').toLowerCase()}`;
}

function keysSeen(lines: readonly (TextLine | undefined)[], times: number): Set<string> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (line) counts.set(runningKey(line), (counts.get(runningKey(line)) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, count]) => count >= times).map(([key]) => key));
}

function topLine(lines: readonly TextLine[]): TextLine | undefined {
  return lines.reduce<TextLine | undefined>((top, line) => (!top || line.y > top.y ? line : top), undefined);
}

function bottomLine(lines: readonly TextLine[]): TextLine | undefined {
  return lines.reduce<TextLine | undefined>((bottom, line) => (!bottom || line.y < bottom.y ? line : bottom), undefined);
}
