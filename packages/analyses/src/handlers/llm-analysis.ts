import { llmAnalysis } from '../contracts/index.ts';
import { defineHandler, JobFailure } from '@jobkit/worker';
import { llmSettingsFrom, requestFindings } from './llm-client.ts';

export const llmAnalysisHandler = defineHandler(llmAnalysis, async ({ input, progress, signal }) => {
  const settings = llmSettingsFrom(process.env);
  if (!settings) {
    throw new JobFailure('LLM_NOT_CONFIGURED', 'This worker has no language model configured (LLM_BASE_URL, LLM_API_KEY, LLM_MODEL).', {
      retryable: false,
    });
  }
  progress(10, `Asking ${settings.model}`, { stage: 'sending' });
  const findings = await requestFindings(settings, input, signal);
  progress(95, 'Reading the answer', { stage: 'reading-answer' });
  return findings;
});
