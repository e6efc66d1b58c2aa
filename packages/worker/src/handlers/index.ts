import { registerHandlers } from '../handler.ts';
import { callTranscriptHandler } from './call-transcript.ts';
import { documentAnalysisHandler } from './document-analysis.ts';
import { llmAnalysisHandler } from './llm-analysis.ts';
import { webhookDeliveryHandler } from './webhook-delivery.ts';

/** The handlers of every kind in @jobkit/jobs. Loaded by the worker and by each handler thread. */
export const handlers = registerHandlers([
  documentAnalysisHandler,
  callTranscriptHandler,
  llmAnalysisHandler,
  webhookDeliveryHandler,
]);

export { callTranscriptHandler, documentAnalysisHandler, llmAnalysisHandler, webhookDeliveryHandler };

/** Pass this to `createWorker({ handlersModule })`. */
export const defaultHandlersModule = import.meta.url;
