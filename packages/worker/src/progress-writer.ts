import { recordProgress, type AttemptRef, type ProgressReport } from '@jobkit/queue';
import type { Database } from '@jobkit/db';

/**
 * Writes a job's progress at most once per interval: a handler may report thousands of times a
 * second, the database sees the latest report only. Writes are serialised so a slow write can
 * never land after a newer one.
 */
export class ProgressWriter {
  private pending: ProgressReport | undefined;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = 0;

  constructor(
    private readonly pool: Database['pool'],
    private readonly ref: AttemptRef,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  report(report: ProgressReport): void {
    this.pending = report;
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, wait);
  }

  private write(): void {
    const report = this.pending;
    if (!report) return;
    this.pending = undefined;
    this.lastWriteAt = Date.now();
    this.writing = this.writing
      .then(() => recordProgress(this.pool, this.ref, report))
      .then(
        () => undefined,
        (error: unknown) => {
          this.onError(error);
        },
      );
  }

  /** Stops writing: what is pending is dropped (the job's final state supersedes it). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.writing;
  }
}
