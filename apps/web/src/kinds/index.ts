import type { JobKind } from '@jobkit/jobs';
import { callTranscriptAnalysisView } from './call-transcript-analysis.tsx';
import { datasetAnalysisView } from './dataset-analysis.tsx';
import type { KindView } from './define-view.ts';
import { documentAnalysisView } from './document-analysis.tsx';
import { emailNotificationView } from './email-notification.tsx';
import { llmAnalysisView } from './llm-analysis.tsx';
import { trackedView } from './tracked.tsx';
import { webhookDeliveryView } from './webhook-delivery.tsx';
import { piiScanView } from './pii-scan.tsx';

export type KindViews = { [K in JobKind]: KindView<K> };

/**
 * Every kind's view, keyed by kind: a kind without a view here, or a startable kind whose view has
 * no `Form`, fails to compile. The order is the order of the "New analysis" page's choices.
 */
export const kindViews: KindViews = {
  documentAnalysis: documentAnalysisView,
  datasetAnalysis: datasetAnalysisView,
  callTranscriptAnalysis: callTranscriptAnalysisView,
  llmAnalysis: llmAnalysisView,
  webhookDelivery: webhookDeliveryView,
  emailNotification: emailNotificationView,
  tracked: trackedView,
  piiScan: piiScanView,
};

/** The kinds a user starts from the web app, with their forms, in the registry's order. */
export const startableViews = Object.values(kindViews).flatMap((view) => (view.Form === undefined ? [] : [view]));

export type { FormProps, KindView, ResultProps } from './define-view.ts';
