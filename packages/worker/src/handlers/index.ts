import { registerHandlers } from '../handler.ts';
import { callTranscriptHandler } from './call-transcript.ts';
import { datasetAnalysisHandler } from './dataset-analysis.ts';
import { documentAnalysisHandler } from './document-analysis.ts';
import { llmAnalysisHandler } from './llm-analysis.ts';
import { webhookDeliveryHandler } from './webhook-delivery.ts';

/** The handlers of every kind in @jobkit/jobs. Loaded by the worker and by each handler thread. */
export const handlers = registerHandlers([
  documentAnalysisHandler,
  callTranscriptHandler,
  llmAnalysisHandler,
  webhookDeliveryHandler,
  datasetAnalysisHandler,
]);

export { callTranscriptHandler, documentAnalysisHandler, llmAnalysisHandler, webhookDeliveryHandler };
export { datasetAnalysisHandler };

/** Pass this to `createWorker({ handlersModule })`. */
export const defaultHandlersModule = import.meta.url;
