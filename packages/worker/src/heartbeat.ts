import { extendLeases } from '@jobkit/queue';
import { type Database } from '@jobkit/db';
import type { WorkerSettings } from './settings.ts';

export type LeaseAbort = (jobId: string, reason: 'cancelled' | 'lease-lost') => void;

/**
 * The leases of the jobs this process holds (running, claimed ahead and waiting, or ended but with
 * their end not written yet), and when each lapses at the latest by this process's own clock.
 *
 * A lease is dated from the moment the statement that set it was *sent* (the claim, or a
 * heartbeat that answered): the database set `locked_until` to its own now() plus the lease, and
 * its now() came later. So `lapsesAt` is never later than the lapse the rescuer sees, which is what
 * lets a worker that cannot reach the database stop its handlers before anyone may claim its jobs.
 */
export class Leases {
  /** `performance.now()` when the last statement that extended each job's lease was sent. */
  private readonly extendedAt = new Map<string, number>();
  private inFlight = false;
  private slowSince: number | undefined;
  private failing = false;

  constructor(
    private readonly pool: Database['pool'],
    private readonly workerId: string,
    private readonly config: Pick<WorkerSettings, 'leaseMs' | 'logger' | 'observer'>,
    private readonly abort: LeaseAbort,
  ) {}

  hold(jobIds: readonly string[], sentAt: number): void {
    for (const jobId of jobIds) this.extendedAt.set(jobId, sentAt);
  }

  forget(jobId: string): void {
    this.extendedAt.delete(jobId);
  }

  get size(): number {
    return this.extendedAt.size;
  }

  /** When the job's lease lapses at the latest (`performance.now()` time); -Infinity if not held. */
  lapsesAt(jobId: string): number {
    return (this.extendedAt.get(jobId) ?? Number.NEGATIVE_INFINITY) + this.config.leaseMs;
  }

  /**
   * Extends every lease held, and learns which jobs were lost or must be cancelled (a missed
   * cancellation notification is caught here). One heartbeat at a time: on a slow database a new
   * one would only queue behind the last, so it is skipped, and the slow one is logged (once).
   */
  async beat(): Promise<void> {
    const now = performance.now();
    if (this.inFlight) {
      if (this.slowSince !== undefined) {
        this.config.logger.warn(`heartbeat still waiting for the database after ${Math.round(now - this.slowSince)} ms; the next waits for it`);
        this.slowSince = undefined;
      }
      return;
    }
    const held = [...this.extendedAt.keys()];
    if (held.length === 0) return;
    this.inFlight = true;
    this.slowSince = now;
    try {
      const leases = new Map((await extendLeases(this.pool, this.workerId, held, this.config.leaseMs)).map((lease) => [lease.id, lease]));
      // Only the jobs this heartbeat asked about: one claimed or finished meanwhile proves nothing.
      for (const jobId of held) {
        const lease = leases.get(jobId);
        if (!lease) {
          if (this.extendedAt.delete(jobId)) this.abort(jobId, 'lease-lost');
          continue;
        }
        if (this.extendedAt.has(jobId)) this.extendedAt.set(jobId, now);
        if (lease.cancelRequested) this.abort(jobId, 'cancelled');
      }
      this.config.observer.leasesExtended(leases.size);
      if (this.failing) this.config.logger.info('heartbeats answer again');
      this.failing = false;
    } catch (error) {
      // Once per outage: the leases' lapse times say what it costs.
      this.config.observer.leaseExtensionFailed();
      if (!this.failing) this.config.logger.error({ err: error }, 'heartbeat failed, will retry: the leases lapse unless one answers in time');
      this.failing = true;
    } finally {
      this.inFlight = false;
      this.slowSince = undefined;
    }
  }
}
