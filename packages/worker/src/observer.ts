/**
 * What the engine tells an observer as it works, for metrics (see @jobkit/metrics), so the engine
 * itself depends on no metrics library. Each call is synchronous and must not throw: it runs on
 * the engine's own path. The engine tells nothing of a job's input or result.
 */
export interface WorkerObserver {
  /** A claimed job's handler is being started; `waitedMs` since it became runnable (its run_at). */
  jobStarted(job: { kind: string; waitedMs: number }): void;
  /** An attempt's end was recorded (or found not to be ours any more); `runMs` the handler's time. */
  jobEnded(job: { kind: string; end: AttemptEnd; runMs: number }): void;
  /** This process's rescuer took back a job whose lease lapsed (its worker died). */
  jobRescued(job: { kind: string; status: 'queued' | 'failed' | 'cancelled' }): void;
  /** A heartbeat extended this many leases. */
  leasesExtended(count: number): void;
  /** A heartbeat failed: no lease was extended. */
  leaseExtensionFailed(): void;
  /** The LISTEN connection was lost and is listening again. */
  listenReconnected(): void;
}

/**
 * How an attempt ended, as recorded: `retried` is a failure queued for another attempt, `failed`
 * one that used up the attempts (or may not be retried), `lost` an attempt whose lease was lost or
 * whose end could not be written (the job runs again elsewhere), `released` given back unused.
 */
export type AttemptEnd = 'completed' | 'retried' | 'failed' | 'cancelled' | 'released' | 'lost';

/** The observer of a worker nobody observes. */
export const unobserved: WorkerObserver = {
  jobStarted: () => undefined,
  jobEnded: () => undefined,
  jobRescued: () => undefined,
  leasesExtended: () => undefined,
  leaseExtensionFailed: () => undefined,
  listenReconnected: () => undefined,
};
