import type { datasetColumnSchema, datasetColumnTypes } from '../../contracts/index.ts';
import type { z } from 'zod';
import { Histogram, NumericSummary } from './numeric-summary.ts';
import { ValueCounter, type ValueCounterLimits } from './value-counter.ts';
import { formatDate, type Cell } from './values.ts';

export type ColumnType = (typeof datasetColumnTypes)[number];
export type ColumnSummary = z.output<typeof datasetColumnSchema>;

export interface ColumnLimits {
  /** Numbers kept per column: all of them up to this many, a uniform sample of this many past it. */
  sampleSize: number;
  values: ValueCounterLimits;
}

/** A column is of a type when this share of its values are; a stray "n.a." should not turn numbers into text. */
const typeShare = 0.95;
const topValueCount = 10;

/** Everything known about one column, in memory bounded by its limits whatever the row count. */
export class ColumnStats {
  emptyCount = 0;
  nullCount = 0;
  private integers = 0;
  private decimals = 0;
  private trues = 0;
  private falses = 0;
  private dates = 0;
  private earliest = Number.POSITIVE_INFINITY;
  private latest = Number.NEGATIVE_INFINITY;
  private datesHaveTime = false;
  private texts = 0;
  private readonly numbers: NumericSummary;
  private readonly values: ValueCounter;
  private recountedHistogram: Histogram | undefined;

  constructor(
    readonly name: string,
    readonly position: number,
    limits: ColumnLimits,
  ) {
    this.numbers = new NumericSummary(limits.sampleSize, position);
    this.values = new ValueCounter(limits.values);
  }

  get valueCount(): number {
    return this.integers + this.decimals + this.trues + this.falses + this.dates + this.texts;
  }

  add(cell: Cell): void {
    switch (cell.kind) {
      case 'empty':
        this.emptyCount++;
        return;
      case 'null':
        this.nullCount++;
        return;
      case 'number':
        if (Number.isInteger(cell.value)) this.integers++;
        else this.decimals++;
        this.numbers.add(cell.value);
        break;
      case 'boolean':
        if (cell.value) this.trues++;
        else this.falses++;
        break;
      case 'date':
        this.dates++;
        if (cell.time < this.earliest) this.earliest = cell.time;
        if (cell.time > this.latest) this.latest = cell.time;
        if (cell.hasTime) this.datesHaveTime = true;
        break;
      case 'text':
        this.texts++;
        break;
    }
    this.values.add(cell.key);
  }

  type(): ColumnType {
    const total = this.valueCount;
    if (total === 0) return 'empty';
    if (this.integers + this.decimals >= typeShare * total) return this.decimals === 0 ? 'integer' : 'number';
    if (this.trues + this.falses >= typeShare * total) return 'boolean';
    if (this.dates >= typeShare * total) return 'date';
    return 'text';
  }

  private get numeric(): boolean {
    const type = this.type();
    return type === 'number' || type === 'integer';
  }

  /** A second pass is what keeps the top-value counts and the histogram exact once the limits were passed. */
  get needsRecount(): boolean {
    return this.values.overflowed || (this.numeric && !this.numbers.exact);
  }

  /** Call after the first pass, before `recount`: min, max and the type fix the histogram's bins. */
  beginRecount(): void {
    if (this.values.overflowed) this.values.beginRecount();
    if (this.numeric && !this.numbers.exact) {
      this.recountedHistogram = new Histogram(this.numbers.min, this.numbers.max, this.numbers.count, this.type() === 'integer');
    }
  }

  recount(cell: Cell): void {
    if (cell.kind === 'empty' || cell.kind === 'null') return;
    this.values.recount(cell.key);
    if (cell.kind === 'number') this.recountedHistogram?.add(cell.value);
  }

  summary(): ColumnSummary {
    const type = this.type();
    const counts = this.values.result(topValueCount);
    const conforming = {
      number: this.integers + this.decimals,
      integer: this.integers + this.decimals,
      boolean: this.trues + this.falses,
      date: this.dates,
      text: this.valueCount,
      empty: 0,
    }[type];
    return {
      position: this.position,
      name: this.name,
      type,
      valueCount: this.valueCount,
      emptyCount: this.emptyCount,
      nullCount: this.nullCount,
      nonConformingCount: this.valueCount - conforming,
      distinct: counts.distinct,
      topValues: counts.top,
      topValuesExact: counts.exact,
      numeric: this.numeric ? this.numericSummary(type === 'integer') : null,
      dateRange:
        type === 'date'
          ? { min: formatDate(this.earliest, this.datesHaveTime), max: formatDate(this.latest, this.datesHaveTime) }
          : null,
      booleans: type === 'boolean' ? { trueCount: this.trues, falseCount: this.falses } : null,
    };
  }

  private numericSummary(integer: boolean): NonNullable<ColumnSummary['numeric']> {
    const histogram = this.numbers.histogramOfSample(integer) ?? this.recountedHistogram;
    return { ...this.numbers.statistics(), histogram: histogram?.bins() ?? [] };
  }
}
