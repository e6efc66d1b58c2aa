import { enqueueJobs } from '@jobkit/queue';
import { startableContracts } from '@jobkit/jobs';
import { z } from 'zod';
import { withinLimits } from '../limits.ts';
import { emailUnavailableReason, newJobFor, unavailableReason } from '../start-options.ts';
import { batchItem, startProcedures } from '../start-procedures.ts';
import { tracedEnqueue } from '../tracing.ts';
import { actorProcedure, createTRPCRouter } from '../trpc.ts';

/**
 * Start mutations insert the job (and wake a worker) and answer at once: the work happens
 * elsewhere. One `start<Kind>` per startable kind of the registry, its input checked by that
 * kind's schema (see start-procedures.ts).
 */
export const analysisRouter = createTRPCRouter({
  ...startProcedures,

  /** The kinds a caller can start here, and why any cannot: the web app offers what works. */
  kinds: actorProcedure.query(({ ctx }) =>
    Object.values(startableContracts).map((contract) => ({
      kind: contract.kind,
      title: contract.title,
      unavailable: unavailableReason(ctx.settings, contract.kind),
    })),
  ),

  /** The start options this server can honour, and why any it cannot: the web app offers what works. */
  startOptions: actorProcedure.query(({ ctx }) => ({
    notifyByEmail: { unavailable: emailUnavailableReason(ctx.settings) },
  })),

  /** Up to 1,000 starts of any kinds in one statement; all are validated before any is stored. */
  startMany: actorProcedure
    .input(z.object({ jobs: z.array(batchItem).min(1).max(1000) }))
    .mutation(async ({ ctx, input }) => {
      const rows = await Promise.all(input.jobs.map((request) => newJobFor(ctx, startableContracts[request.kind], request)));
      const jobs = await tracedEnqueue((traceContext) =>
        withinLimits(ctx, { ownerId: ctx.actor.userId, starting: rows.length, subject: 'caller' }, (db) =>
          enqueueJobs(db, traceContext ? rows.map((row) => ({ ...row, traceContext })) : rows),
        ),
      );
      return { jobs: jobs.map((job) => ({ jobId: job.id, status: job.status, created: job.created })) };
    }),
});
