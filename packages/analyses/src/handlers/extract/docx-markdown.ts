import { bodyText, headingLine, tidySpaces } from './markdown.ts';

/** The class the DOCX style map gives a Title-styled paragraph's `<h1>`. */
export const titleClass = 'document-title';

// mammoth writes a closed set of tags, attributes always double-quoted, and escapes only & < > ".
const tagOrText = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=/>]+="[^"]*")*)\s*\/?>|([^<]+)/g;
const attribute = /([^\s=]+)="([^"]*)"/g;
const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };

interface Table {
  rows: string[];
  cells: string[];
  cell: string[] | undefined;
}

interface List {
  ordered: boolean;
  itemCount: number;
}

/**
 * mammoth's HTML as the Markdown the analysis reads: `#` headings, `-` and `1)` list items, table
 * rows as `cell | cell` lines, footnotes as `[1] ...` at the end. Inline formatting and links are
 * dropped: the analysis counts words, and `**` or `[text](url)` would only be noise to it.
 */
export function markdownOfMammothHtml(html: string): { text: string; title?: string } {
  const blocks: string[] = [];
  const listLines: string[] = [];
  const lists: List[] = [];
  const tables: Table[] = [];
  let block: { kind: 'heading'; level: number; isTitle: boolean } | { kind: 'paragraph' } | undefined;
  let item: { marker: string; depth: number } | undefined;
  let words: string[] = [];
  let title: string | undefined;
  let noteCount = 0;
  let inBackLink = false;

  const finishItem = () => {
    const text = tidySpaces(words.join('')).replace(/\n/g, ' ');
    if (item && text) listLines.push(`${'  '.repeat(item.depth)}${item.marker} ${text}`);
    item = undefined;
    words = [];
  };
  const finishBlock = () => {
    const text = tidySpaces(words.join(''));
    if (block?.kind === 'heading' && text) {
      const oneLine = text.replace(/\n/g, ' ');
      blocks.push(headingLine(block.level, oneLine));
      if (block.isTitle) title ??= oneLine;
    } else if (block?.kind === 'paragraph' && text) {
      blocks.push(bodyText(text));
    }
    block = undefined;
    words = [];
  };

  for (const [, closing, rawTag, rawAttributes, rawText] of html.matchAll(tagOrText)) {
    const table = tables.at(-1);
    if (rawText !== undefined) {
      if (inBackLink) continue;
      const text = rawText.replace(/&(?:amp|lt|gt|quot);/g, (entity) => entities[entity] ?? entity);
      if (table?.cell) table.cell.push(text);
      else words.push(text);
      continue;
    }
    const tag = rawTag?.toLowerCase() ?? '';
    const attributes = new Map([...(rawAttributes ?? '').matchAll(attribute)].map(([, name, value]) => [name, value]));
    const opening = closing !== '/';

    if (tag === 'a') {
      // The "↑" links that take a footnote back to its reference.
      inBackLink = opening && /^#(?:footnote|endnote|comment)-ref-/.test(attributes.get('href') ?? '');
    } else if (table && tag !== 'table') {
      if (tag === 'td' || tag === 'th') {
        if (!opening) table.cells.push(tidySpaces((table.cell ?? []).join('')).replace(/\n/g, ' '));
        table.cell = opening ? [] : undefined;
      } else if (tag === 'tr' && !opening) {
        if (table.cells.some((cell) => cell.length > 0)) table.rows.push(bodyText(table.cells.join(' | ')));
        table.cells = [];
      } else if ((tag === 'p' || tag === 'br' || tag === 'li') && table.cell) {
        table.cell.push(' ');
      }
    } else if (tag === 'table') {
      if (opening) {
        tables.push({ rows: [], cells: [], cell: undefined });
      } else {
        const rows = tables.pop()?.rows ?? [];
        const outer = tables.at(-1);
        // A table inside a table cell reads as part of that cell.
        if (outer?.cell) outer.cell.push(` ${rows.join(' / ')} `);
        else if (rows.length > 0) blocks.push(rows.join('\n'));
      }
    } else if (/^h[1-6]$/.test(tag)) {
      finishBlock();
      if (opening) {
        const isTitle = (attributes.get('class') ?? '').split(' ').includes(titleClass);
        block = { kind: 'heading', level: Number(tag.slice(1)), isTitle };
      }
    } else if (tag === 'p' || tag === 'dt' || tag === 'dd') {
      if (item) words.push(' ');
      else {
        finishBlock();
        if (opening) block = { kind: 'paragraph' };
      }
    } else if (tag === 'ul' || tag === 'ol') {
      if (opening) {
        finishItem();
        lists.push({ ordered: tag === 'ol', itemCount: 0 });
      } else {
        lists.pop();
        if (lists.length === 0 && listLines.length > 0) blocks.push(listLines.splice(0).join('\n'));
      }
    } else if (tag === 'li') {
      finishItem();
      const list = lists.at(-1);
      if (opening && list) {
        list.itemCount++;
        // "1)" rather than "1.": the analysis reads a line like "1. Pay the invoice" as a numbered heading.
        const isNote = /^(?:footnote|endnote)-/.test(attributes.get('id') ?? '');
        const marker = isNote ? `[${++noteCount}]` : list.ordered ? `${list.itemCount})` : '-';
        item = { marker, depth: isNote ? 0 : lists.length - 1 };
      }
    } else if (tag === 'br') {
      words.push('\n');
    }
  }
  finishItem();
  finishBlock();
  if (listLines.length > 0) blocks.push(listLines.join('\n'));
  return { text: blocks.join('\n\n'), ...(title ? { title } : {}) };
}
