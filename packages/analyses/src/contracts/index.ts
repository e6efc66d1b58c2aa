import { callTranscriptAnalysis } from './call-transcript.ts';
import { datasetAnalysis } from './dataset-analysis.ts';
import { documentAnalysis } from './document-analysis.ts';
import { llmAnalysis } from './llm-analysis.ts';
import { piiScan } from './pii-scan.ts';

export * from './call-transcript.ts';
export * from './dataset-analysis.ts';
export * from './document-analysis.ts';
export * from './llm-analysis.ts';
export * from './pii-scan.ts';

/**
 * The analyses' contracts, keyed by kind: the one list an analysis is added to (`pnpm gen:kind`
 * adds the line). Everything else (start procedures, the snapshot union, the handler and view
 * registries that must cover it) is derived from `@jobkit/jobs`'s registry, which spreads this.
 */
export const analysisContracts = {
  [documentAnalysis.kind]: documentAnalysis,
  [callTranscriptAnalysis.kind]: callTranscriptAnalysis,
  [llmAnalysis.kind]: llmAnalysis,
  [datasetAnalysis.kind]: datasetAnalysis,
  [piiScan.kind]: piiScan,
};
