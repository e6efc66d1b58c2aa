import { enqueueJobs } from '@jobkit/queue';
import { callTranscriptAnalysis, datasetAnalysis, documentAnalysis, llmAnalysis, type JobContract } from '@jobkit/jobs';
import { z } from 'zod';
import { withinLimits } from '../limits.ts';
import { newJobFor, startOptionsShape, unavailableReason } from '../start-options.ts';
import { actorProcedure, createTRPCRouter } from '../trpc.ts';

/** What every start mutation takes: the kind's own input, plus the options shared by all kinds. */
function startInput<Input extends z.ZodType>(input: Input) {
  return z.object({ input, ...startOptionsShape });
}

/** One request of a batch, tagged with its kind. Add each startable kind here. */
const batchItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal(documentAnalysis.kind), input: documentAnalysis.input, ...startOptionsShape }),
  z.object({ kind: z.literal(callTranscriptAnalysis.kind), input: callTranscriptAnalysis.input, ...startOptionsShape }),
  z.object({ kind: z.literal(llmAnalysis.kind), input: llmAnalysis.input, ...startOptionsShape }),
  z.object({ kind: z.literal(datasetAnalysis.kind), input: datasetAnalysis.input, ...startOptionsShape }),
]);

const contractsByKind = {
  [documentAnalysis.kind]: documentAnalysis,
  [callTranscriptAnalysis.kind]: callTranscriptAnalysis,
  [llmAnalysis.kind]: llmAnalysis,
  [datasetAnalysis.kind]: datasetAnalysis,
};

async function startOne(ctx: Parameters<typeof newJobFor>[0], contract: JobContract, request: Parameters<typeof newJobFor>[2]) {
  const row = await newJobFor(ctx, contract, request);
  const [job] = await withinLimits(ctx, { ownerId: ctx.actor.userId, starting: 1, subject: 'caller' }, (db) => enqueueJobs(db, [row]));
  if (!job) throw new Error('enqueueJobs returned no job for one request');
  return { jobId: job.id, status: job.status, created: job.created };
}

/**
 * Start mutations insert the job (and wake a worker) and answer at once: the work happens
 * elsewhere. One `start<Kind>` per analysis kind, its input checked by that kind's schema.
 */
export const analysisRouter = createTRPCRouter({
  startDocumentAnalysis: actorProcedure
    .input(startInput(documentAnalysis.input))
    .mutation(({ ctx, input }) => startOne(ctx, documentAnalysis, input)),

  startCallTranscriptAnalysis: actorProcedure
    .input(startInput(callTranscriptAnalysis.input))
    .mutation(({ ctx, input }) => startOne(ctx, callTranscriptAnalysis, input)),

  startDatasetAnalysis: actorProcedure
    .input(startInput(datasetAnalysis.input))
    .mutation(({ ctx, input }) => startOne(ctx, datasetAnalysis, input)),

  startLlmAnalysis: actorProcedure
    .input(startInput(llmAnalysis.input))
    .mutation(({ ctx, input }) => startOne(ctx, llmAnalysis, input)),

  /** The kinds a caller can start here, and why any cannot: the web app offers what works. */
  kinds: actorProcedure.query(({ ctx }) =>
    Object.values(contractsByKind).map((contract) => ({
      kind: contract.kind,
      title: contract.title,
      unavailable: unavailableReason(ctx.settings, contract.kind),
    })),
  ),

  /** Up to 1,000 starts of any kinds in one statement; all are validated before any is stored. */
  startMany: actorProcedure
    .input(z.object({ jobs: z.array(batchItem).min(1).max(1000) }))
    .mutation(async ({ ctx, input }) => {
      const rows = await Promise.all(input.jobs.map((request) => newJobFor(ctx, contractsByKind[request.kind], request)));
      const jobs = await withinLimits(ctx, { ownerId: ctx.actor.userId, starting: rows.length, subject: 'caller' }, (db) =>
        enqueueJobs(db, rows),
      );
      return { jobs: jobs.map((job) => ({ jobId: job.id, status: job.status, created: job.created })) };
    }),
});
