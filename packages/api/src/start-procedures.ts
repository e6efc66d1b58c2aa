import { enqueueJobs } from '@jobkit/queue';
import {
  startableContracts,
  startProcedureName,
  type JobContract,
  type StartableContracts,
  type StartableKind,
  type StartProcedureName,
} from '@jobkit/jobs';
import type { TRPCMutationProcedure } from '@trpc/server';
import { z } from 'zod';
import { withinLimits } from './limits.ts';
import { newJobFor, startOptionsShape } from './start-options.ts';
import { tracedEnqueue } from './tracing.ts';
import { actorProcedure } from './trpc.ts';

type StartableContract = StartableContracts[StartableKind];
/** A kind's input schema. (`Extract` only restates that it is one: tsc cannot see it through a generic kind.) */
type InputSchemaOf<Kind extends StartableKind> = Extract<StartableContracts[Kind]['input'], z.ZodType>;

/** Inserts one validated start (within the caller's limits) and answers with the new job. */
async function startOne(ctx: Parameters<typeof newJobFor>[0], contract: JobContract, request: Parameters<typeof newJobFor>[2]) {
  const row = await newJobFor(ctx, contract, request);
  const [job] = await tracedEnqueue((traceContext) =>
    withinLimits(ctx, { ownerId: ctx.actor.userId, starting: 1, subject: 'caller' }, (db) => enqueueJobs(db, [{ ...row, traceContext }])),
  );
  if (!job) throw new Error('enqueueJobs returned no job for one request');
  return { jobId: job.id, status: job.status, created: job.created };
}

/** What every start mutation takes: the kind's own input, plus the options shared by all kinds. */
function startInput<Input extends z.ZodType>(input: Input) {
  return z.object({ input, ...startOptionsShape });
}

/** A kind's start mutation: the request checked by `startInput` of that kind's input schema. */
function startProcedure(contract: StartableContract) {
  return actorProcedure.input(startInput(contract.input)).mutation(({ ctx, input }) => startOne(ctx, contract, input));
}

/**
 * The type `startProcedure` has for one kind. Built from tRPC's procedure type rather than by
 * making `startProcedure` generic: inside a generic function tRPC's resolver input stays an
 * unresolved conditional type, which the resolver cannot pass on as a request.
 */
type StartProcedure<Kind extends StartableKind> = TRPCMutationProcedure<{
  input: z.input<ReturnType<typeof startInput<InputSchemaOf<Kind>>>>;
  output: Awaited<ReturnType<typeof startOne>>;
  meta: object;
}>;

/** `startDocumentAnalysis`, `startLlmAnalysis`...: one typed mutation per startable kind. */
export type StartProcedures = { [Kind in StartableKind as StartProcedureName<Kind>]: StartProcedure<Kind> };

// Each entry is `startProcedure` of the contract whose kind names it: what the mapped type says
// per key, which Object.fromEntries (string keys, a union of values) cannot carry.
export const startProcedures = Object.fromEntries(
  Object.values(startableContracts).map((contract) => [startProcedureName(contract.kind), startProcedure(contract)]),
) as StartProcedures;

/** One request of a `startMany` batch, tagged with its kind. */
function batchItemFor<Kind extends StartableKind, Input extends z.ZodType>(kind: Kind, input: Input) {
  return z.object({ kind: z.literal(kind), input, ...startOptionsShape });
}

/** The union of every kind's `batchItemFor`, each kind with its own input. */
type BatchItem = { [Kind in StartableKind]: ReturnType<typeof batchItemFor<Kind, InputSchemaOf<Kind>>> }[StartableKind];

// Each item is `batchItemFor` of one contract's own kind and input: one member of the union,
// where tsc, mapping over a union of contracts, would pair any kind with any input.
const [firstItem, ...otherItems] = Object.values(startableContracts).map((contract) =>
  batchItemFor(contract.kind, contract.input),
) as BatchItem[];
if (!firstItem) throw new Error('The registry has no startable kind');

/** A start request of any startable kind, discriminated by `kind`, each with its own input type. */
export const batchItem = z.discriminatedUnion('kind', [firstItem, ...otherItems]);
