/**
 * The registry edits `pnpm gen:kind` makes: each adds one line to a file someone else keeps, next
 * to the lines of its own sort, and fails loudly when the file no longer has the shape it expects
 * (rather than writing a kind that compiles nowhere).
 */

/** After the last line starting with `prefix` (imports, `export *` lines), keeping the block together. */
export function addAfterLast(content: string, prefix: string, line: string, file: string): string {
  if (content.includes(line)) return content;
  const lines = content.split('\n');
  const last = lines.findLastIndex((text) => text.startsWith(prefix));
  if (last === -1) throw new Error(`${file}: found no line starting with "${prefix}" to add "${line}" after`);
  lines.splice(last + 1, 0, line);
  return lines.join('\n');
}

/**
 * As the last entry of the object literal declared on the line starting with `declaration`
 * (`export const x`, the line ending in `{`): before the first line that closes it at that line's
 * indentation.
 */
export function addEntry(content: string, declaration: string, entry: string, file: string): string {
  const lines = content.split('\n');
  const start = lines.findIndex((text) => text.trimStart().startsWith(declaration) && text.trimEnd().endsWith('{'));
  if (start === -1) throw new Error(`${file}: found no "${declaration} ... {" to add "${entry.trim()}" to`);
  const indentation = /^\s*/.exec(lines[start] ?? '')?.[0] ?? '';
  const end = lines.findIndex((text, index) => index > start && text.startsWith(`${indentation}}`));
  if (end === -1) throw new Error(`${file}: "${declaration}" is not closed on a line of its own`);
  if (lines.slice(start, end).some((text) => text.trim() === entry.trim())) return content;
  lines.splice(end, 0, `${indentation}  ${entry.trim()}`);
  return lines.join('\n');
}
