import { z } from 'zod';
import { callTranscriptAnalysis } from './kinds/call-transcript.ts';
import { datasetAnalysis } from './kinds/dataset-analysis.ts';
import { documentAnalysis } from './kinds/document-analysis.ts';
import { llmAnalysis } from './kinds/llm-analysis.ts';
import { trackedJob } from './kinds/tracked.ts';
import { webhookDelivery } from './kinds/webhook-delivery.ts';

/** Every kind there is, keyed by kind. Add a kind here and to `jobSnapshotSchema`. */
export const jobContracts = {
  [documentAnalysis.kind]: documentAnalysis,
  [callTranscriptAnalysis.kind]: callTranscriptAnalysis,
  [llmAnalysis.kind]: llmAnalysis,
  [webhookDelivery.kind]: webhookDelivery,
  [trackedJob.kind]: trackedJob,
  [datasetAnalysis.kind]: datasetAnalysis,
};

export type JobKind = keyof typeof jobContracts;
export type RegisteredJobContract = (typeof jobContracts)[JobKind];

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(jobContracts, kind);
}

/** The contract of a stored kind, or undefined for a kind this code no longer knows. */
export function contractFor(kind: string): RegisteredJobContract | undefined {
  return isJobKind(kind) ? jobContracts[kind] : undefined;
}

/** A job as clients see it: a union discriminated by `kind`, each with its own result type. */
export const jobSnapshotSchema = z.discriminatedUnion('kind', [
  documentAnalysis.snapshot,
  callTranscriptAnalysis.snapshot,
  llmAnalysis.snapshot,
  webhookDelivery.snapshot,
  trackedJob.snapshot,
  datasetAnalysis.snapshot,
]);
export type JobSnapshot = z.output<typeof jobSnapshotSchema>;
