import { HyperLogLog } from './hyperloglog.ts';

export interface ValueCounterLimits {
  /** Distinct values counted one by one before switching to the bounded summary. */
  capacity: number;
  /** Characters of those values kept, so a column of long texts stays bounded too. */
  characterBudget: number;
}

export interface ValueCounts {
  distinct: { count: number; exact: boolean };
  top: { value: string; count: number }[];
  /** True when every distinct value was counted. */
  exact: boolean;
}

/**
 * Counts values as written. Exactly while they fit the limits; past them it keeps a Misra-Gries
 * frequent-values summary and estimates the distinct count with HyperLogLog. The summary is pruned
 * in batches: every count loses the median count, which drops at least half the values, so a
 * pruning (O(n log n)) comes at most once per n/2 new values. At least half the counts lose the
 * full median each time, so a value is undercounted by at most 2·rows/n in all (n: the values
 * held when pruning, `capacity` unless long values filled the character budget first): every value
 * more frequent than that survives as a candidate, and `recount` gives the candidates their exact
 * counts in a second pass over the file.
 */
export class ValueCounter {
  private readonly counts = new Map<string, number>();
  private characters = 0;
  private sketch: HyperLogLog | undefined;
  /** Distinct values seen when counting one by one stopped: the distinct count is at least that. */
  private distinctAtOverflow = 0;
  private recounts: Map<string, number> | undefined;

  constructor(private readonly limits: ValueCounterLimits) {}

  get overflowed(): boolean {
    return this.sketch !== undefined;
  }

  add(key: string): void {
    this.sketch?.add(key);
    const count = this.counts.get(key);
    if (count !== undefined) {
      this.counts.set(key, count + 1);
      return;
    }
    this.counts.set(key, 1);
    this.characters += key.length;
    if (this.counts.size > this.limits.capacity || this.characters > this.limits.characterBudget) this.prune();
  }

  private prune(): void {
    if (!this.sketch) {
      // Until now the map held every distinct value: they seed the sketch.
      this.sketch = new HyperLogLog();
      for (const key of this.counts.keys()) this.sketch.add(key);
      this.distinctAtOverflow = this.counts.size;
    }
    const sorted = Float64Array.from(this.counts.values()).sort();
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    for (const [key, count] of this.counts) {
      if (count > median) {
        this.counts.set(key, count - median);
      } else {
        this.counts.delete(key);
        this.characters -= key.length;
      }
    }
  }

  /** Starts the second pass: from now on `recount` counts the surviving candidates exactly. */
  beginRecount(): void {
    this.recounts = new Map(Array.from(this.counts.keys(), (key) => [key, 0]));
  }

  recount(key: string): void {
    const count = this.recounts?.get(key);
    if (count !== undefined) this.recounts?.set(key, count + 1);
  }

  result(topCount: number): ValueCounts {
    const exact = this.sketch === undefined;
    const counts = exact ? this.counts : (this.recounts ?? this.counts);
    const top = Array.from(counts, ([value, count]) => ({ value, count }))
      .filter(({ count }) => count > 0)
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, topCount);
    const distinct = this.sketch
      ? { count: Math.max(Math.round(this.sketch.estimate()), this.distinctAtOverflow), exact: false }
      : { count: this.counts.size, exact: true };
    return { distinct, top, exact };
  }
}
