import { SaxesParser } from 'saxes';
import type { XlsxZip } from './xlsx-zip.ts';

/** What a SAX pass over one part listens to; names come without their namespace prefix. */
export interface XmlListener {
  open?: (name: string, attributes: Readonly<Record<string, string>>) => void;
  text?: (text: string) => void;
  close?: (name: string) => void;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** Streams a part's XML through `listener`; the listener may throw to stop it. */
export async function parseXml(text: AsyncIterable<string>, listener: XmlListener): Promise<void> {
  const parser = new SaxesParser();
  const { open, close, text: onText } = listener;
  if (open) {
    parser.on('opentag', (tag) => {
      open(localName(tag.name), tag.attributes);
    });
  }
  if (close) {
    parser.on('closetag', (tag) => {
      close(localName(tag.name));
    });
  }
  if (onText) {
    parser.on('text', onText);
    parser.on('cdata', onText);
  }
  for await (const piece of text) parser.write(piece);
  parser.close();
}

/** An attribute by its local name (`r:id` and `id` alike when `prefixed` is false). */
function attribute(attributes: Readonly<Record<string, string>>, name: string, prefixed: boolean): string | undefined {
  for (const [key, value] of Object.entries(attributes)) {
    if (key === name && !prefixed) return value;
    if (prefixed && key.includes(':') && localName(key) === name) return value;
  }
  return undefined;
}

/** A relationship target as a part name: relative to the part's folder, or absolute. */
function resolveTarget(folder: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `${folder}${target}`).split('/');
  const resolved: string[] = [];
  for (const part of parts) {
    if (part === '..') resolved.pop();
    else if (part !== '.' && part !== '') resolved.push(part);
  }
  return resolved.join('/');
}

interface Relationship {
  type: string;
  target: string;
}

async function relationships(zip: XlsxZip, partName: string): Promise<Map<string, Relationship>> {
  const folder = partName.slice(0, partName.lastIndexOf('/') + 1);
  const relsName = `${folder}_rels/${partName.slice(folder.length)}.rels`;
  const found = new Map<string, Relationship>();
  await parseXml(zip.text(relsName), {
    open(name, attributes) {
      const { Id: id, Type: type, Target: target, TargetMode: mode } = attributes;
      if (name === 'Relationship' && id && type && target && mode !== 'External') found.set(id, { type, target: resolveTarget(folder, target) });
    },
  });
  return found;
}

export interface WorkbookLayout {
  sheets: { name: string; part: string | undefined }[];
  sharedStrings: string | undefined;
  styles: string | undefined;
  date1904: boolean;
}

/** The workbook's sheets (names, in order, and their parts), where its shared strings and styles are. */
export async function readWorkbookLayout(zip: XlsxZip): Promise<WorkbookLayout | undefined> {
  const root = await relationships(zip, '');
  const workbookPart = [...root.values()].find(({ type }) => type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  if (!zip.has(workbookPart)) return undefined;
  const related = await relationships(zip, workbookPart);
  const sheetRefs: { name: string; relationId: string | undefined }[] = [];
  let date1904 = false;
  await parseXml(zip.text(workbookPart), {
    open(name, attributes) {
      if (name === 'workbookPr') date1904 = attributes.date1904 === '1' || attributes.date1904 === 'true';
      if (name === 'sheet') sheetRefs.push({ name: attributes.name ?? `Sheet ${sheetRefs.length + 1}`, relationId: attribute(attributes, 'id', true) });
    },
  });
  const byType = (suffix: string) => [...related.values()].find(({ type }) => type.endsWith(suffix))?.target;
  return {
    sheets: sheetRefs.map(({ name, relationId }) => ({ name, part: relationId === undefined ? undefined : related.get(relationId)?.target })),
    sharedStrings: byType('/sharedStrings'),
    styles: byType('/styles'),
    date1904,
  };
}

/**
 * The shared strings, in order: each `<si>`'s text, rich-text runs joined, phonetic hints (`rPh`)
 * left out. Held whole (text cells point into it), so it is bounded by `maxCharacters`.
 */
export async function readSharedStrings(zip: XlsxZip, part: string | undefined, maxCharacters: number, tooMany: () => Error): Promise<string[]> {
  const strings: string[] = [];
  if (part === undefined) return strings;
  let current: string[] = [];
  let inText = false;
  let phonetic = 0;
  let characters = 0;
  await parseXml(zip.text(part), {
    open(name) {
      if (name === 'si') current = [];
      else if (name === 'rPh') phonetic++;
      else if (name === 't' && phonetic === 0) inText = true;
    },
    text(text) {
      if (!inText) return;
      characters += text.length;
      if (characters > maxCharacters) throw tooMany();
      current.push(text);
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si') strings.push(current.join(''));
    },
  });
  return strings;
}

// Excel's built-in number formats that show dates or times (ids 14-22, 27-36 and 50-58 in East Asian locales, 45-47).
const builtInDateFormats = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A custom format shows a date when, outside quoted text, escapes and [colour]/[condition] brackets, it has a date or time token. */
export function isDateFormat(formatCode: string): boolean {
  const bare = formatCode.replace(/"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]/gi, '');
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** For each cell style index (`s`), whether numbers in it are dates. */
export async function readDateStyles(zip: XlsxZip, part: string | undefined): Promise<boolean[]> {
  const dateStyles: boolean[] = [];
  if (part === undefined) return dateStyles;
  const customFormats = new Map<number, string>();
  let inCellXfs = false;
  await parseXml(zip.text(part), {
    open(name, attributes) {
      if (name === 'numFmt') customFormats.set(Number(attributes.numFmtId), attributes.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) {
        const id = Number(attributes.numFmtId ?? 0);
        const custom = customFormats.get(id);
        dateStyles.push(custom === undefined ? builtInDateFormats.has(id) : isDateFormat(custom));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return dateStyles;
}
