import { jobContracts, jobStatusSchema, isJobKind } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { visibleJobs } from '../job-scope.ts';
import { jobSnapshotSelect, toJobSnapshot } from '../job-snapshot.ts';
import { actorProcedure, createTRPCRouter } from '../trpc.ts';

const jobId = z.uuid({ message: 'A job id is a UUID, like 0199c1d2-7f3e-7a10-9c4b-2f1e0d3c4b5a' });

export const jobsRouter = createTRPCRouter({
  /** One job with its typed progress and result; what the browser polls. */
  getJob: actorProcedure.input(z.object({ jobId })).query(async ({ ctx, input }) => {
    const row = await ctx.db.prisma.job.findFirst({
      where: { id: input.jobId, ...visibleJobs(ctx.actor) },
      select: jobSnapshotSelect,
    });
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `No job ${input.jobId}.` });
    return toJobSnapshot(row);
  }),

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
      const page = rows.slice(0, input.limit);
      return {
        items: page.map((row) => ({
          ...row,
          title: isJobKind(row.kind) ? jobContracts[row.kind].title : row.kind,
          createdAt: row.createdAt.toISOString(),
          finishedAt: row.finishedAt?.toISOString() ?? null,
        })),
        nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
      };
    }),
});
