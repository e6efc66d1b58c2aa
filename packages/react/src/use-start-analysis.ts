import type { RouterInputs } from '@jobkit/api';
import { startableKinds, startProcedureName, type StartableKind, type StartProcedureName } from '@jobkit/jobs';
import { rememberActiveJob } from './active-jobs.ts';
import { trpc } from './trpc.ts';

/** What a start of kind `K` sends: that kind's input, plus the options every start takes. */
export type StartRequest<K extends StartableKind> = RouterInputs['analysis'][StartProcedureName<K>];

type StartProcedureHooks = (typeof trpc)['analysis'];

/** Each startable kind's start mutation, as `useMutation` of its `start<Kind>` procedure returns it. */
export type StartMutations = {
  [K in StartableKind]: ReturnType<StartProcedureHooks[StartProcedureName<K>]['useMutation']>;
};

/**
 * The start mutations, one per startable kind of the registry. Each remembers the new job in
 * this browser (so a reload finds it again) and refreshes the job lists.
 */
export function useStartAnalysis(): StartMutations {
  const utils = trpc.useUtils();
  const onSuccess = ({ jobId }: { jobId: string }) => {
    rememberActiveJob(jobId);
    void utils.jobs.listJobs.invalidate();
    void utils.jobs.activeJobs.invalidate();
  };
  // The same kinds in the same order on every render, so the hooks below keep their order.
  const mutations = startableKinds.map((kind) => [kind, trpc.analysis[startProcedureName(kind)].useMutation({ onSuccess })]);
  // Each entry is the mutation of its own kind's procedure, which is what the mapped type says
  // per key; Object.fromEntries only knows string keys and a union of values.
  return Object.fromEntries(mutations) as StartMutations;
}
