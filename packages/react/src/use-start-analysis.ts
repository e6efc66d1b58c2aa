import type { RouterInputs } from '@jobkit/api';
import { rememberActiveJob } from './active-jobs.ts';
import { trpc } from './trpc.ts';

export type StartDocumentAnalysis = RouterInputs['analysis']['startDocumentAnalysis'];
export type StartCallTranscriptAnalysis = RouterInputs['analysis']['startCallTranscriptAnalysis'];
export type StartDatasetAnalysis = RouterInputs['analysis']['startDatasetAnalysis'];

/**
 * The start mutations, one per analysis kind. Each remembers the new job in this browser (so a
 * reload finds it again) and refreshes the job lists.
 */
export function useStartAnalysis() {
  const utils = trpc.useUtils();
  const onSuccess = ({ jobId }: { jobId: string }) => {
    rememberActiveJob(jobId);
    void utils.jobs.listJobs.invalidate();
  };
  return {
    documentAnalysis: trpc.analysis.startDocumentAnalysis.useMutation({ onSuccess }),
    callTranscriptAnalysis: trpc.analysis.startCallTranscriptAnalysis.useMutation({ onSuccess }),
    llmAnalysis: trpc.analysis.startLlmAnalysis.useMutation({ onSuccess }),
    datasetAnalysis: trpc.analysis.startDatasetAnalysis.useMutation({ onSuccess }),
  };
}
