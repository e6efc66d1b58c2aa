import { analysisContracts } from '@jobkit/analyses/contracts';
import { webhookDelivery } from '@jobkit/webhooks/contract';
import { z } from 'zod';
import { trackedJob } from './tracked.ts';

/**
 * Every kind this app has, keyed by kind: the analyses, the webhook deliveries the database
 * enqueues, and jobs tracked for other systems. Everything kind-shaped is derived from it.
 */
export const jobContracts = {
  ...analysisContracts,
  [webhookDelivery.kind]: webhookDelivery,
  [trackedJob.kind]: trackedJob,
};

export type JobContracts = typeof jobContracts;
export type JobKind = keyof JobContracts;
export type RegisteredJobContract = JobContracts[JobKind];

/** Kinds API callers start (`start<Kind>`); the others are started by the system. */
export type StartableKind = { [Kind in JobKind]: JobContracts[Kind]['internal'] extends true ? never : Kind }[JobKind];

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(jobContracts, kind);
}

/** The contract of a stored kind, or undefined for a kind this code no longer knows. */
export function contractFor(kind: string): RegisteredJobContract | undefined {
  return isJobKind(kind) ? jobContracts[kind] : undefined;
}

const [firstSnapshot, ...otherSnapshots] = Object.values(jobContracts).map((contract) => contract.snapshot);
if (!firstSnapshot) throw new Error('The job registry is empty');

/** A job as clients see it: a union discriminated by `kind`, each with its own result type. */
export const jobSnapshotSchema = z.discriminatedUnion('kind', [firstSnapshot, ...otherSnapshots]);
export type JobSnapshot = z.output<typeof jobSnapshotSchema>;
