import type { ClaimedJob } from '@jobkit/db';

/**
 * How long, at the pace jobs have been finishing, a job claimed ahead may expect to wait here for
 * a slot. Jobs claimed ahead are held (running, leased) by this process, so no other worker can
 * take them meanwhile, and if it dies they wait out its lease and lose an attempt like its running
 * jobs: claiming ahead pays for short jobs (one claim per many jobs instead of per job) and would
 * only hold long ones back from idle workers elsewhere. Sizing the queue by time rather than by
 * count gets both: a hundred no-op jobs, none of a kind that takes a second. A tenth of a second
 * is many claim round trips, so a longer horizon would save little and expose more jobs.
 */
const horizonMs = 100;
/** Weight of the latest duration in the running mean. */
const smoothing = 0.1;

/**
 * The jobs this process claimed ahead of its free slots, in the order they should start (the
 * claim's order: priority, then age). They hold leases, so the worker heartbeats them with its
 * running jobs, ends them cancelled at once when asked, drops them if their lease is lost, and
 * releases them when it stops.
 */
export class LocalQueue {
  private jobs: ClaimedJob[] = [];
  // Unknown until a job has finished here: no claiming ahead before this worker has seen how long
  // its jobs take (a fresh worker facing a backlog of long jobs must not hoard them).
  private meanDurationMs = Number.POSITIVE_INFINITY;

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

  /** A handler ran this long here. */
  observe(durationMs: number): void {
    this.meanDurationMs = Number.isFinite(this.meanDurationMs)
      ? this.meanDurationMs + smoothing * (durationMs - this.meanDurationMs)
      : durationMs;
  }

  /**
   * How many jobs to claim now, with `running` handlers busy: enough for the idle slots and to fill
   * the queue ahead. Zero while no slot is idle and the queue is more than half full, so that the
   * worker claims again when the queue runs low, many jobs at a time, not once per finished job.
   */
  claimLimit(running: number): number {
    const ahead = Math.min(this.prefetch, Math.floor((horizonMs * this.concurrency) / this.meanDurationMs));
    const idle = this.concurrency - running - this.jobs.length;
    if (idle <= 0 && this.jobs.length > ahead / 2) return 0;
    return Math.max(0, this.concurrency - running + ahead - this.jobs.length);
  }
}
