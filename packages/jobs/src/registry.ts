import { analysisContracts } from '@jobkit/analyses/contracts';
import { emailNotification } from '@jobkit/email/contract';
import { webhookDelivery } from '@jobkit/webhooks/contract';
import { z } from 'zod';
import { trackedJob } from './tracked.ts';

/**
 * Every kind this app has, keyed by kind: the analyses, the webhook deliveries and e-mails the
 * database enqueues when a job ends, and jobs tracked for other systems. Everything kind-shaped is derived from it.
 */
export const jobContracts = {
  ...analysisContracts,
  [webhookDelivery.kind]: webhookDelivery,
  [emailNotification.kind]: emailNotification,
  [trackedJob.kind]: trackedJob,
};

export type JobContracts = typeof jobContracts;
export type JobKind = keyof JobContracts;
export type RegisteredJobContract = JobContracts[JobKind];

/** Kinds API callers start (`start<Kind>`); the others are started by the system. */
export type StartableKind = { [Kind in JobKind]: JobContracts[Kind]['internal'] extends true ? never : Kind }[JobKind];
export type StartableContracts = { [Kind in StartableKind]: JobContracts[Kind] };

/**
 * The startable contracts, keyed by kind, in registry order: the API's start procedures,
 * `startMany`'s union, `analysis.kinds` and the React start hook are derived from it.
 */
export const startableContracts = Object.fromEntries(
  Object.entries(jobContracts).filter(([, contract]) => !contract.internal),
  // The filter keeps exactly the contracts whose `internal` is not true, the rule `StartableKind`
  // states over their literal types; Object.fromEntries cannot carry that per-key type itself.
) as StartableContracts;

/** The startable kinds, in registry order. */
export const startableKinds = Object.keys(startableContracts) as StartableKind[]; // Object.keys says string[]: these are that record's keys

/** `documentAnalysis` → `startDocumentAnalysis`: the name of a kind's start procedure. */
export type StartProcedureName<Kind extends StartableKind> = `start${Capitalize<Kind>}`;

export function startProcedureName<Kind extends StartableKind>(kind: Kind): StartProcedureName<Kind> {
  // Template literals widen to string: this is the same capitalisation `Capitalize` spells.
  return `start${kind.charAt(0).toUpperCase()}${kind.slice(1)}` as StartProcedureName<Kind>;
}

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
