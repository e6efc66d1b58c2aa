import { enqueueJobs } from '@jobkit/db';
import { documentAnalysis, type JobContract } from '@jobkit/jobs';
import { z } from 'zod';
import type { Actor, InnerContext } from '../context.ts';
import { actorProcedure, createTRPCRouter } from '../trpc.ts';

/** What every start mutation takes: the kind's own input, plus options shared by all kinds. */
function startInput<Input extends z.ZodType>(input: Input) {
  return z.object({
    input,
    /** Starting twice with the same key returns the first job instead of making another. */
    idempotencyKey: z.string().trim().min(1).max(200).optional(),
  });
}

/** Inserts the job (and wakes a worker) and answers at once: the work happens elsewhere. */
async function startJob(
  ctx: InnerContext & { actor: Actor },
  contract: JobContract,
  request: { input: unknown; idempotencyKey?: string | undefined },
) {
  const [job] = await enqueueJobs(ctx.db.pool, [
    {
      kind: contract.kind,
      payloadVersion: contract.version,
      input: request.input,
      ownerId: ctx.actor.userId,
      maxAttempts: contract.maxAttempts,
      idempotencyKey: request.idempotencyKey,
    },
  ]);
  if (!job) throw new Error('enqueueJobs returned no job for one new job');
  return { jobId: job.id, status: job.status, created: job.created };
}

/** One `start<Kind>` mutation per analysis kind, its input checked by that kind's schema. */
export const analysisRouter = createTRPCRouter({
  startDocumentAnalysis: actorProcedure
    .input(startInput(documentAnalysis.input))
    .mutation(({ ctx, input }) => startJob(ctx, documentAnalysis, input)),
});
