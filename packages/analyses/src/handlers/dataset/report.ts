import ExcelJS, { type Worksheet } from 'exceljs';
import type { DatasetSummary } from './analyse.ts';
import type { ColumnSummary } from './column-stats.ts';

type Cell = string | number | null;

/**
 * The XLSX report: a Summary sheet (one row per column), a Correlations matrix, and a sheet per
 * column with its statistics, top values and histogram as tables. It holds a few dozen rows per
 * column, so it is built in memory with exceljs' Workbook rather than streamed.
 */
export async function buildReport(summary: DatasetSummary): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Jobkit';
  const sheetNames = new SheetNames(['Summary', 'Correlations']);
  addSummary(workbook.addWorksheet('Summary'), summary);
  addCorrelations(workbook.addWorksheet('Correlations'), summary);
  for (const column of summary.columns) addColumn(workbook.addWorksheet(sheetNames.for(column)), column, summary.rowCount);
  // Typed as an ArrayBuffer by exceljs, a Node Buffer in fact: copying into a Uint8Array is right for both.
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

function addSummary(sheet: Worksheet, summary: DatasetSummary): void {
  const { file } = summary;
  const source = file.format === 'csv' ? `CSV, delimiter ${describeDelimiter(file.delimiter)}` : `Excel, sheet "${file.sheet ?? ''}"`;
  sheet.addRow([`Dataset analysis of ${file.name}`]).font = { bold: true, size: 14 };
  sheet.addRows([['Rows', summary.rowCount], ['Columns', summary.columns.length], ['Source', source], []]);
  addTable(
    sheet,
    ['Column', 'Type', 'Values', 'Empty', 'Null', 'Not of type', 'Distinct', 'Min', 'Max', 'Mean', 'Median', 'Std dev', 'Most frequent', 'Estimated'],
    summary.columns.map((column) => {
      const range = column.numeric ?? column.dateRange;
      const estimated = [column.distinct.exact ? '' : 'distinct', column.numeric?.medianExact === false ? 'median' : ''];
      return [
        column.name,
        column.type,
        column.valueCount,
        column.emptyCount,
        column.nullCount,
        column.nonConformingCount,
        column.distinct.count,
        range?.min ?? null,
        range?.max ?? null,
        column.numeric?.mean ?? null,
        column.numeric?.median ?? null,
        column.numeric?.stddev ?? null,
        column.topValues[0]?.value ?? null,
        estimated.filter(Boolean).join(', '),
      ];
    }),
  );
  sheet.getColumn(1).width = 24;
}

function addCorrelations(sheet: Worksheet, summary: DatasetSummary): void {
  const names = [...new Set(summary.correlations.flatMap(({ columnA, columnB }) => [columnA, columnB]))];
  if (names.length === 0) {
    sheet.addRow(['Fewer than two numeric columns: nothing to correlate.']);
    return;
  }
  sheet.addRow(["Pearson's r over the rows where both columns have a number"]).font = { bold: true };
  const r = new Map(summary.correlations.flatMap(({ columnA, columnB, r }) => [[`${columnA}\n${columnB}`, r], [`${columnB}\n${columnA}`, r]]));
  addTable(
    sheet,
    ['', ...names],
    names.map((row) => [row, ...names.map((column) => (row === column ? 1 : (r.get(`${row}\n${column}`) ?? null)))]),
  );
  sheet.getColumn(1).width = 24;
}

function addColumn(sheet: Worksheet, column: ColumnSummary, rowCount: number): void {
  sheet.addRow([column.name]).font = { bold: true, size: 14 };
  const statistics: [string, Cell][] = [
    ['Type', column.type],
    ['Values', column.valueCount],
    ['Empty', column.emptyCount],
    ['Null markers', column.nullCount],
    ['Not of type', column.nonConformingCount],
    [column.distinct.exact ? 'Distinct' : 'Distinct (estimate)', column.distinct.count],
  ];
  if (column.numeric) {
    const { min, max, mean, median, medianExact, stddev } = column.numeric;
    statistics.push(['Min', min], ['Max', max], ['Mean', mean], [medianExact ? 'Median' : 'Median (from a sample)', median], ['Std dev', stddev]);
  }
  if (column.dateRange) statistics.push(['Earliest', column.dateRange.min], ['Latest', column.dateRange.max]);
  if (column.booleans) statistics.push(['True', column.booleans.trueCount], ['False', column.booleans.falseCount]);
  addTable(sheet, ['Statistic', 'Value'], statistics);

  sheet.addRow([]);
  addTable(
    sheet,
    ['Top value', 'Count', 'Share of rows'],
    column.topValues.map(({ value, count }) => [value, count, count / rowCount]),
    { 3: '0.0%' },
  );
  if (column.numeric && column.numeric.histogram.length > 0) {
    sheet.addRow([]);
    addTable(sheet, ['From', 'To', 'Count'], column.numeric.histogram.map(({ from, to, count }) => [from, to, count]));
  }
  sheet.getColumn(1).width = 28;
  sheet.getColumn(2).width = 16;
}

/** A bold header row, then the rows; `formats` gives number formats by 1-based column. */
function addTable(sheet: Worksheet, header: string[], rows: Cell[][], formats: Record<number, string> = {}): void {
  sheet.addRow(header).font = { bold: true };
  for (const values of rows) {
    const row = sheet.addRow(values);
    for (const [column, format] of Object.entries(formats)) row.getCell(Number(column)).numFmt = format;
  }
}

function describeDelimiter(delimiter: string | null): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter ?? ','}"`;
}

/**
 * Sheet names as Excel accepts them: at most 31 characters, none of : \ / ? * [ ], no quote at
 * either end, unique regardless of case.
 */
class SheetNames {
  private readonly used: Set<string>;

  constructor(reserved: readonly string[]) {
    this.used = new Set(reserved.map((name) => name.toLowerCase()));
  }

  for(column: ColumnSummary): string {
    const cleaned = column.name.replace(/[:\\/?*[\]]/g, ' ').replace(/^'+|'+$/g, '').trim().slice(0, 31);
    const base = cleaned || `Column ${column.position}`;
    let name = base;
    for (let copy = 2; this.used.has(name.toLowerCase()); copy++) {
      const suffix = ` (${copy})`;
      name = base.slice(0, 31 - suffix.length) + suffix;
    }
    this.used.add(name.toLowerCase());
    return name;
  }
}
