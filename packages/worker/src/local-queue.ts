import type { ClaimedJob } from '@jobkit/queue';

/**
 * How long, at the pace jobs of each kind have been finishing, the jobs claimed ahead may expect
 * to wait here for a slot, all together. Jobs claimed ahead are held (running, leased) by this
 * process, so no other worker can take them meanwhile, and if it dies they wait out its lease and
 * lose an attempt like its running jobs: claiming ahead pays for short jobs (one claim per many
 * jobs instead of per job) and would only hold long ones back from idle workers elsewhere. Sizing
 * the queue by time rather than by count gets both: a hundred no-op jobs, none of a kind that takes
 * a second. A tenth of a second is many claim round trips, so a longer horizon would save little
 * and expose more jobs.
 *
 * The pace is kept per kind: one average over all kinds would let a burst of millisecond webhook
 * deliveries make the worker claim dozens of minute-long analyses ahead.
 */
const horizonMs = 100;
/** Weight of the latest duration in each kind's running mean. */
const smoothing = 0.1;

/** One claim to make: at most `limit` jobs of these kinds. */
export interface ClaimRequest {
  kinds: readonly string[];
  limit: number;
}

/**
 * The jobs this process claimed ahead of its free slots, in the order they should start (the
 * claim's order: priority, then age). They hold leases, so the worker heartbeats them with its
 * running jobs, ends them cancelled at once when asked, drops them if their lease is lost, and
 * releases them when it stops.
 */
export class LocalQueue {
  private jobs: ClaimedJob[] = [];
  // A kind is unknown until one of its jobs has finished here, and is never claimed ahead before
  // that (a fresh worker facing a backlog of long jobs must not hoard them).
  private readonly meanDurationMs = new Map<string, number>();

  constructor(
    private readonly concurrency: number,
    /** At most this many jobs claimed ahead. */
    private readonly prefetch: number,
  ) {}

  get size(): number {
    return this.jobs.length;
  }

  ids(): string[] {
    return this.jobs.map((job) => job.id);
  }

  /** Each job goes after those of its priority or higher: a later claim may bring a more urgent one. */
  add(claimed: readonly ClaimedJob[]): void {
    for (const job of claimed) {
      const before = this.jobs.findIndex((queued) => queued.priority < job.priority);
      if (before === -1) this.jobs.push(job);
      else this.jobs.splice(before, 0, job);
    }
  }

  take(): ClaimedJob | undefined {
    return this.jobs.shift();
  }

  remove(jobId: string): ClaimedJob | undefined {
    const index = this.jobs.findIndex((job) => job.id === jobId);
    return index === -1 ? undefined : this.jobs.splice(index, 1)[0];
  }

  takeAll(): ClaimedJob[] {
    return this.jobs.splice(0);
  }

  /** A handler of this kind ran this long here. */
  observe(kind: string, durationMs: number): void {
    const mean = this.meanDurationMs.get(kind);
    this.meanDurationMs.set(kind, mean === undefined ? durationMs : mean + smoothing * (durationMs - mean));
  }

  private expectedMs(kind: string): number {
    return this.meanDurationMs.get(kind) ?? Number.POSITIVE_INFINITY;
  }

  /**
   * The claims to make now, with `busy` slots taken: every kind for the idle slots, and ahead only
   * the kinds quick enough to start within the horizon, as many as the slowest of them fits in
   * what is left of it (the claim's LIMIT spans its kinds, so it must suit the slowest). Nothing
   * while no slot is idle and the queue holds more than half the horizon, so that the worker claims
   * again when the queue runs low, many jobs at a time, not once per finished job.
   */
  claims(busy: number, kinds: readonly string[]): ClaimRequest[] {
    const idle = Math.max(0, this.concurrency - busy - this.jobs.length);
    const budgetMs = horizonMs * this.concurrency;
    const queuedMs = this.jobs.reduce((sum, job) => sum + this.expectedMs(job.kind), 0);
    if (idle === 0 && (queuedMs > budgetMs / 2 || this.jobs.length > this.prefetch / 2)) return [];
    const leftMs = budgetMs - queuedMs;
    const quick = kinds.filter((kind) => this.expectedMs(kind) <= leftMs);
    const slowestMs = Math.max(0, ...quick.map((kind) => this.expectedMs(kind)));
    const byTime = slowestMs === 0 ? Number.POSITIVE_INFINITY : Math.floor(leftMs / slowestMs);
    const ahead = quick.length === 0 ? 0 : Math.max(0, Math.min(this.prefetch - this.jobs.length, byTime));
    const requests: ClaimRequest[] =
      quick.length === kinds.length
        ? [{ kinds, limit: idle + ahead }]
        : [
            { kinds, limit: idle },
            { kinds: quick, limit: ahead },
          ];
    return requests.filter((request) => request.limit > 0);
  }
}
