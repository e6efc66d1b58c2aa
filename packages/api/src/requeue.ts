import { retryJob } from '@jobkit/queue';
import { contractFor, trackedJob } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import type { Actor, InnerContext } from './context.ts';
import { withinLimits } from './limits.ts';

/**
 * Queues a failed or cancelled job again with its kind's full attempt budget, within its owner's
 * limits (a retry adds a job to their queue like a start does), whoever asks: the owner or an
 * admin (then the message speaks of the owner's limits). Throws a TRPCError that says why not; `null` when the job is gone.
 */
export async function requeueJob(
  ctx: Pick<InnerContext, 'db' | 'settings'>,
  job: { id: string; kind: string },
  actor: Actor,
): Promise<'queued' | null> {
  // No worker of ours serves tracked jobs: queued, one would wait forever.
  if (job.kind === trackedJob.kind) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `Job ${job.id} is a tracked job: the system that runs it retries by creating a new one (jobs.createTracked).`,
    });
  }
  const current = await ctx.db.prisma.job.findUnique({ where: { id: job.id }, select: { ownerId: true, status: true } });
  if (!current) return null;
  if (current.status !== 'failed' && current.status !== 'cancelled') throw notRetryable(job.id, current.status);
  const attempts = contractFor(job.kind)?.maxAttempts ?? 1;
  const subject = current.ownerId === actor.userId ? 'caller' : 'owner';
  const queued = await withinLimits(ctx, { ownerId: current.ownerId, starting: 1, subject }, (db) => retryJob(db, job.id, attempts));
  if (queued) return 'queued';
  // Retried or deleted by someone else meanwhile.
  const now = await ctx.db.prisma.job.findUnique({ where: { id: job.id }, select: { status: true } });
  if (!now) return null;
  throw notRetryable(job.id, now.status);
}

function notRetryable(jobId: string, status: string): TRPCError {
  return new TRPCError({ code: 'CONFLICT', message: `Job ${jobId} is ${status}; only failed or cancelled jobs can be retried.` });
}
