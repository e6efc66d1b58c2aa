/** Where a command writes: the process's streams, or a test's. */
export interface Terminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readStdin: () => Promise<string>;
}

export function printLine(terminal: Terminal, line = ''): void {
  terminal.stdout.write(`${line}\n`);
}

/** A note for the person at the terminal, never part of what a script parses. */
export function printNote(terminal: Terminal, line: string): void {
  terminal.stderr.write(`${line}\n`);
}

export function printJson(terminal: Terminal, value: unknown): void {
  terminal.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Rows as aligned columns under a header; a cell too long for a line is not cut (the id must stay whole). */
export function printTable<Row>(terminal: Terminal, rows: readonly Row[], columns: readonly { header: string; cell: (row: Row) => string }[]): void {
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index]?.length ?? 0)));
  const format = (line: readonly string[]) => line.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  printLine(terminal, format(columns.map((column) => column.header)));
  for (const line of cells) printLine(terminal, format(line));
}

/** "2026-12-02 17:04:05" in UTC: sortable, and the same on every machine a script runs on. */
export function shortTime(iso: string | null): string {
  return iso === null ? '—' : iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}
