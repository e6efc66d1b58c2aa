import { completeJob, createTrackedJob, extendLeases, externalAttempt, externalWorkerId, failJob, recordProgress } from '@jobkit/queue';
import { trackedJob } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Actor, InnerContext } from '../context.ts';
import { findVisibleJob } from '../job-scope.ts';
import { withinLimits } from '../limits.ts';
import { actorProcedure } from '../trpc.ts';

const jobId = z.uuid({ message: 'A job id is a UUID' });

/** The caller's tracked job, or a clear error for any other job. */
async function trackedJobOf(ctx: InnerContext & { actor: Actor }, id: string): Promise<string> {
  const job = await findVisibleJob(ctx.db, ctx.actor, id);
  if (job.kind !== trackedJob.kind) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `Job ${id} is run by our workers; only tracked jobs take reports.` });
  }
  return job.id;
}

async function noLongerRunning(ctx: InnerContext, id: string): Promise<TRPCError> {
  const job = await ctx.db.prisma.job.findUnique({ where: { id }, select: { status: true } });
  return new TRPCError({
    code: 'CONFLICT',
    message: `Job ${id} is ${job?.status ?? 'gone'}; it takes no more reports.`,
  });
}

/**
 * `jobs.createTracked` and the reports of the system that runs the job. Merged into the jobs
 * router, so programs find them next to `getJob`.
 */
export const trackedProcedures = {
  createTracked: actorProcedure.input(trackedJob.input).mutation(async ({ ctx, input }) => {
    const ownerId = ctx.actor.userId;
    const id = await withinLimits(ctx, { ownerId, starting: 1, subject: 'caller' }, (db) =>
      createTrackedJob(db, {
        kind: trackedJob.kind,
        payloadVersion: trackedJob.version,
        input,
        ownerId,
        leaseMs: trackedJob.timeoutMs,
        message: input.message,
      }),
    );
    return { jobId: id, status: 'running' as const };
  }),

  /** Progress (never backwards), a stage message and data; also renews the reporting deadline. */
  reportProgress: actorProcedure
    .input(
      z.object({
        jobId,
        percent: z.number().min(0).max(100),
        message: z.string().trim().min(1).max(500).optional(),
        data: trackedJob.progress.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const id = await trackedJobOf(ctx, input.jobId);
      if (!(await recordProgress(ctx.db.pool, externalAttempt(id), input))) throw await noLongerRunning(ctx, id);
      const [lease] = await extendLeases(ctx.db.pool, externalWorkerId, [id], trackedJob.timeoutMs);
      return { jobId: id, cancelRequested: lease?.cancelRequested ?? false };
    }),

  complete: actorProcedure.input(z.object({ jobId, result: trackedJob.output })).mutation(async ({ ctx, input }) => {
    const id = await trackedJobOf(ctx, input.jobId);
    if (!(await completeJob(ctx.db.pool, externalAttempt(id), input.result, trackedJob.retentionMs))) {
      throw await noLongerRunning(ctx, id);
    }
    return { jobId: id, status: 'completed' as const };
  }),

  fail: actorProcedure
    .input(
      z.object({
        jobId,
        code: z.string().trim().regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'A code is UPPER_SNAKE_CASE, like EXPORT_FAILED').default('EXTERNAL_FAILURE'),
        message: z.string().trim().min(1, 'Say what went wrong').max(1000),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const id = await trackedJobOf(ctx, input.jobId);
      const status = await failJob(ctx.db.pool, externalAttempt(id), { code: input.code, message: input.message }, {
        retryable: false,
        retryDelayMs: 0,
        retentionMs: trackedJob.retentionMs,
        outcome: 'failed',
      });
      if (!status) throw await noLongerRunning(ctx, id);
      return { jobId: id, status };
    }),
};
