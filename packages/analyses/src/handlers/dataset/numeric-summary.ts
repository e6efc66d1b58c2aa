import { seededRandom } from './seeded-random.ts';

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

const minBins = 10;
const maxBins = 20;

/**
 * Equal-width bins over [min, max]: Sturges' count (log2 n + 1, which suits the roughly bell-shaped
 * columns most files have) kept to 10-20 bins so the report stays readable. Integer columns get
 * integer edges, one bin per value when there are at most 20 of them.
 */
export class Histogram {
  private readonly start: number;
  private readonly width: number;
  private readonly counts: number[];
  /** Where the last bin ends: max for decimals, the next integer edge for integers. */
  private readonly end: number;

  constructor(min: number, max: number, valueCount: number, integer: boolean) {
    this.start = min;
    const wanted = Math.min(maxBins, Math.max(minBins, Math.ceil(Math.log2(Math.max(valueCount, 1))) + 1));
    let binCount: number;
    if (min === max) {
      binCount = 1;
      this.width = 0;
    } else if (integer) {
      const span = max - min + 1;
      this.width = span <= maxBins ? 1 : Math.ceil(span / wanted);
      binCount = Math.ceil(span / this.width);
    } else {
      binCount = wanted;
      this.width = (max - min) / binCount;
    }
    this.counts = new Array<number>(binCount).fill(0);
    // For decimals the last edge is max itself, not start + n·width, which floating point can leave just below it.
    this.end = integer ? min + binCount * this.width : max;
  }

  add(value: number): void {
    const index = this.width === 0 ? 0 : Math.min(this.counts.length - 1, Math.floor((value - this.start) / this.width));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  bins(): HistogramBin[] {
    const last = this.counts.length - 1;
    return this.counts.map((count, index) => ({
      from: this.start + index * this.width,
      to: index === last ? this.end : this.start + (index + 1) * this.width,
      count,
    }));
  }
}

/**
 * Count, min, max, mean and variance by Welford's update (one pass, constant memory, no loss of
 * precision from summing squares), and a uniform reservoir sample (Vitter's algorithm R) of at most
 * `capacity` values. While no more values than that came, the sample holds all of them, so the median
 * and the histogram are exact; past it the median is the sample's.
 */
export class NumericSummary {
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private mean = 0;
  private squaredDeviations = 0;
  private sample = new Float64Array(0);
  private readonly random: () => number;

  constructor(
    private readonly capacity: number,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.squaredDeviations += delta * (value - this.mean);
    if (this.count <= this.capacity) {
      if (this.count > this.sample.length) this.grow();
      this.sample[this.count - 1] = value;
    } else {
      const slot = Math.floor(this.random() * this.count);
      if (slot < this.capacity) this.sample[slot] = value;
    }
  }

  /** Doubling as values come keeps columns with few numbers small. */
  private grow(): void {
    const grown = new Float64Array(Math.min(this.capacity, Math.max(1024, this.sample.length * 2)));
    grown.set(this.sample);
    this.sample = grown;
  }

  /** True while the sample holds every value. */
  get exact(): boolean {
    return this.count <= this.capacity;
  }

  statistics() {
    const sorted = this.sample.slice(0, Math.min(this.count, this.capacity)).sort();
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
    return {
      min: this.min,
      max: this.max,
      mean: this.mean,
      stddev: this.count > 1 ? Math.sqrt(this.squaredDeviations / (this.count - 1)) : null,
      median,
      medianExact: this.exact,
    };
  }

  /** The histogram of all values, which only the exact sample can give. */
  histogramOfSample(integer: boolean): Histogram | undefined {
    if (!this.exact) return undefined;
    const histogram = new Histogram(this.min, this.max, this.count, integer);
    for (const value of this.sample.subarray(0, this.count)) histogram.add(value);
    return histogram;
  }
}
