/** Welford's update extended to two variables: the co-moment gives the covariance without summing products. */
class PairMoments {
  rows = 0;
  private meanX = 0;
  private meanY = 0;
  private squaresX = 0;
  private squaresY = 0;
  private coMoment = 0;

  add(x: number, y: number): void {
    this.rows++;
    const dx = x - this.meanX;
    this.meanX += dx / this.rows;
    const dy = y - this.meanY;
    this.meanY += dy / this.rows;
    this.squaresX += dx * (x - this.meanX);
    this.squaresY += dy * (y - this.meanY);
    this.coMoment += dx * (y - this.meanY);
  }

  /** Null when either column is constant over the shared rows (or they share fewer than 3). */
  pearson(): number | null {
    if (this.rows < 3 || this.squaresX === 0 || this.squaresY === 0) return null;
    const r = this.coMoment / Math.sqrt(this.squaresX * this.squaresY);
    return Math.max(-1, Math.min(1, r));
  }
}

export interface Correlation {
  columnA: number;
  columnB: number;
  r: number | null;
  rows: number;
}

/**
 * Pearson correlations between columns, in one pass and constant memory, over the rows where both
 * columns have a number. Which columns are numeric is only known at the end, so a column takes a
 * slot when its first value is a number; a row costs slots² updates, hence the slot limit (30
 * slots: 435 pairs, a few microseconds a row).
 */
export class CorrelationTracker {
  /** Column index of each slot. */
  private readonly columns: number[] = [];
  private readonly pairs: PairMoments[][] = [];

  constructor(private readonly slotLimit: number) {}

  /** Offers a column whose first value is a number. */
  nominate(column: number): void {
    if (this.columns.includes(column) || this.columns.length === this.slotLimit) return;
    this.pairs.push(this.columns.map(() => new PairMoments()));
    this.columns.push(column);
  }

  /** False for a column that came when every slot was taken. */
  tracks(column: number): boolean {
    return this.columns.includes(column);
  }

  /** `numbers[column]` is the row's number in that column, NaN where it has none. */
  addRow(numbers: Float64Array): void {
    // Runs for every row: index loops, no iterator objects.
    for (let slot = 0; slot < this.columns.length; slot++) {
      const y = numbers[this.columns[slot] ?? -1] ?? Number.NaN;
      if (Number.isNaN(y)) continue;
      const pairs = this.pairs[slot] ?? [];
      for (let other = 0; other < pairs.length; other++) {
        const x = numbers[this.columns[other] ?? -1] ?? Number.NaN;
        if (!Number.isNaN(x)) pairs[other]?.add(x, y);
      }
    }
  }

  /** Every pair among `columns`, in column order. */
  correlations(columns: readonly number[]): Correlation[] {
    const result: Correlation[] = [];
    for (const [slot, column] of this.columns.entries()) {
      if (!columns.includes(column)) continue;
      for (const [other, pair] of (this.pairs[slot] ?? []).entries()) {
        const otherColumn = this.columns[other] ?? -1;
        if (!columns.includes(otherColumn)) continue;
        const [columnA, columnB] = otherColumn < column ? [otherColumn, column] : [column, otherColumn];
        result.push({ columnA, columnB, r: pair.pearson(), rows: pair.rows });
      }
    }
    return result.sort((a, b) => a.columnA - b.columnA || a.columnB - b.columnB);
  }
}
