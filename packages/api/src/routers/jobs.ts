import { cancelJob } from '@jobkit/queue';
import { contractFor, defaultRetentionMs, isJobKind, jobStatusSchema } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { findVisibleJob, jobNotFound, visibleJobs } from '../job-scope.ts';
import { findJobSnapshotRow, pollJobSnapshot, toJobSnapshot } from '../job-snapshot.ts';
import { watchJob } from '../job-stream/watch-job.ts';
import type { cancelOutput } from '../openapi/outputs.ts';
import { keysetPage } from '../paging.ts';
import { requeueJob } from '../requeue.ts';
import { actorProcedure, createTRPCRouter } from '../trpc.ts';
import { activeJobsProcedures } from './active-jobs.ts';
import { trackedProcedures } from './tracked.ts';

const jobId = z.uuid({ message: 'A job id is a UUID, like 0199c1d2-7f3e-7a10-9c4b-2f1e0d3c4b5a' });
const byId = z.object({ jobId });


export const jobsRouter = createTRPCRouter({
  ...trackedProcedures,
  ...activeJobsProcedures,

  /** One job with its typed progress and result; what the browser polls. */
  getJob: actorProcedure.input(byId).query(async ({ ctx, input }) => {
    const row = await findJobSnapshotRow(ctx.db, ctx.actor, input.jobId);
    if (!row) throw await jobNotFound(ctx.db, ctx.actor, input.jobId);
    return toJobSnapshot(row);
  }),

  /**
   * What a poller asks: the job as getJob gives it, unless the poller already has its latest
   * version (`knownVersion`, the snapshot's `version`); then only `{ changed: false }`, a few bytes
   * read without the job's result. `useJob` polls with it when it cannot stream.
   */
  pollJob: actorProcedure
    .input(byId.extend({ knownVersion: z.int({ message: 'knownVersion is the version of the snapshot you have, a whole number' }).min(0).max(2_147_483_647) }))
    .query(async ({ ctx, input }) => {
      const poll = await pollJobSnapshot(ctx.db, ctx.actor, input.jobId, input.knownVersion);
      if (!poll) throw await jobNotFound(ctx.db, ctx.actor, input.jobId);
      return poll;
    }),

  /**
   * The same snapshot as getJob, pushed: at once, then at each new version, ending after the job
   * finishes. Events are tracked by version, so a reconnect sends `lastEventId` and resumes.
   */
  watchJob: actorProcedure
    .input(byId.extend({ lastEventId: z.string().max(20).optional() }))
    .subscription(({ ctx, input, signal }) => watchJob(ctx, input, signal)),

  /** The caller's jobs, newest first, a page at a time (keyset on the time-ordered id). */
  listJobs: actorProcedure
    .input(
      z.object({
        status: jobStatusSchema.optional(),
        kind: z.string().refine(isJobKind, 'Unknown job kind').optional(),
        limit: z.int().min(1).max(100).default(20),
        cursor: jobId.optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.prisma.job.findMany({
        where: {
          ...visibleJobs(ctx.actor),
          ownerId: ctx.actor.userId,
          status: input.status,
          kind: input.kind,
          id: input.cursor ? { lt: input.cursor } : undefined,
        },
        orderBy: { id: 'desc' },
        take: input.limit + 1,
        select: {
          id: true,
          kind: true,
          status: true,
          progress: true,
          progressMessage: true,
          attempt: true,
          createdAt: true,
          finishedAt: true,
        },
      });
      const { page, nextCursor } = keysetPage(rows, input.limit);
      return {
        items: page.map((row) => ({
          ...row,
          title: contractFor(row.kind)?.title ?? row.kind,
          createdAt: row.createdAt.toISOString(),
          finishedAt: row.finishedAt?.toISOString() ?? null,
        })),
        nextCursor,
      };
    }),

  /**
   * A queued job is cancelled at once. A running job is asked to stop: its worker, on whatever
   * machine, hears of it at once and ends it `cancelled`. A tracked job ends cancelled at once.
   */
  cancelJob: actorProcedure.input(byId).mutation(async ({ ctx, input }): Promise<z.output<typeof cancelOutput>> => {
    const job = await findVisibleJob(ctx.db, ctx.actor, input.jobId);
    const retentionMs = contractFor(job.kind)?.retentionMs ?? defaultRetentionMs;
    const outcome = await cancelJob(ctx.db.pool, job.id, retentionMs);
    switch (outcome.result) {
      case 'cancelled':
        return { jobId: job.id, status: 'cancelled' };
      case 'cancelling':
        return { jobId: job.id, status: 'running', cancelRequested: true };
      case 'not-found':
        throw await jobNotFound(ctx.db, ctx.actor, job.id);
      case 'not-cancellable':
        throw new TRPCError({
          code: 'CONFLICT',
          message: `Job ${job.id} is already ${outcome.status}; only queued or running jobs can be cancelled.`,
        });
    }
  }),

  /**
   * Queues a failed or cancelled job again, with its kind's full attempt budget, within the
   * caller's limits; history is kept. Tracked jobs are retried by the system that runs them.
   */
  retryJob: actorProcedure.input(byId).mutation(async ({ ctx, input }) => {
    const job = await findVisibleJob(ctx.db, ctx.actor, input.jobId);
    const status = await requeueJob(ctx, job, ctx.actor);
    if (!status) throw await jobNotFound(ctx.db, ctx.actor, job.id);
    return { jobId: job.id, status };
  }),
});
