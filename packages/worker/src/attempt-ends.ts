import { completeJobs, failJobs, finishCancelledJobs, releaseJobs, type AttemptRef, type Completion, type Failure } from '@jobkit/queue';
import { type Database } from '@jobkit/db';
import { Batcher } from './batcher.ts';
import { isStatementAtFault } from './durable-write.ts';

/**
 * The ends of this process's attempts, written in batches: one statement per batch and per kind of
 * end instead of one round trip per job, which is what lets a worker finish thousands of short
 * jobs a second. Each call settles once its attempt's end is written, with whether it was still
 * this worker's to end (false: the lease was lost, and the job belongs to someone else now), or
 * rejects with the write's error (the caller tries again: see job-run.ts).
 */
export interface AttemptEnds {
  complete(completion: Completion): Promise<boolean>;
  /** The job's new status (`queued` for a retry), or null if the lease was lost. */
  fail(failure: Failure): Promise<'queued' | 'failed' | null>;
  cancel(ref: AttemptRef, retentionMs: number): Promise<boolean>;
  /** Gives the job back to the queue without counting the attempt (shutdown). */
  release(ref: AttemptRef): Promise<boolean>;
}

/** Large enough to amortise the round trip, small enough to keep one statement short. */
const maxBatch = 500;

export function batchedAttemptEnds(pool: Database['pool']): AttemptEnds {
  // A batch the database refuses for its data is written again job by job (see Batcher).
  const batcher = <Item, Answer>(write: (items: readonly Item[]) => Promise<Answer>) =>
    new Batcher(write, maxBatch, isStatementAtFault);
  const completions = batcher((items: readonly Completion[]) => completeJobs(pool, items));
  const failures = batcher((items: readonly Failure[]) => failJobs(pool, items));
  const cancels = batcher((items: readonly { ref: AttemptRef; retentionMs: number }[]) => finishCancelledJobs(pool, items));
  const releases = batcher((refs: readonly AttemptRef[]) => releaseJobs(pool, refs));
  return {
    async complete(completion) {
      return (await completions.add(completion)).has(completion.ref.jobId);
    },
    async fail(failure) {
      return (await failures.add(failure)).get(failure.ref.jobId) ?? null;
    },
    async cancel(ref, retentionMs) {
      return (await cancels.add({ ref, retentionMs })).has(ref.jobId);
    },
    async release(ref) {
      return (await releases.add(ref)).has(ref.jobId);
    },
  };
}
