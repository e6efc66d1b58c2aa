import type { JobHandler } from '@jobkit/worker';
import type { analysisContracts } from '../contracts/index.ts';
import { callTranscriptHandler } from './call-transcript.ts';
import { datasetAnalysisHandler } from './dataset-analysis.ts';
import { documentAnalysisHandler } from './document-analysis.ts';
import { llmAnalysisHandler } from './llm-analysis.ts';
import { piiScanHandler } from './pii-scan.ts';

type AnalysisContracts = typeof analysisContracts;

/** One handler per analysis contract: a contract without its handler here fails to compile. */
export const analysisHandlers = {
  documentAnalysis: documentAnalysisHandler,
  callTranscriptAnalysis: callTranscriptHandler,
  llmAnalysis: llmAnalysisHandler,
  datasetAnalysis: datasetAnalysisHandler,
  piiScan: piiScanHandler,
} satisfies { [Kind in keyof AnalysisContracts]: JobHandler<AnalysisContracts[Kind]> };

export { callTranscriptHandler, datasetAnalysisHandler, documentAnalysisHandler, llmAnalysisHandler };
export { llmSettingsFrom, type LlmSettings } from './llm-client.ts';
/** Deterministic pseudo-random numbers, for generating test data. */
export { seededRandom } from './dataset/seeded-random.ts';
