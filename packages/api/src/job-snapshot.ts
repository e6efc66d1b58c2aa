import { contractFor, jobSnapshotSchema, type JobSnapshot } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';

/** The columns a job read needs; an explicit select keeps reads from growing with the table. */
export const jobSnapshotSelect = {
  id: true,
  kind: true,
  payloadVersion: true,
  status: true,
  progress: true,
  progressMessage: true,
  progressData: true,
  result: true,
  error: true,
  attempt: true,
  maxAttempts: true,
  cancelRequestedAt: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  updatedAt: true,
  version: true,
} as const;

export interface JobSnapshotRow {
  id: string;
  kind: string;
  payloadVersion: number;
  status: string;
  progress: number;
  progressMessage: string | null;
  progressData: unknown;
  result: unknown;
  error: unknown;
  attempt: number;
  maxAttempts: number;
  cancelRequestedAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  version: number;
}

/**
 * Turns a stored job into what clients see, parsing result and progress with the kind's own
 * schemas: the typed union clients get is checked here, not assumed.
 */
export function toJobSnapshot(row: JobSnapshotRow): JobSnapshot {
  const parsed = jobSnapshotSchema.safeParse({
    ...row,
    cancelRequested: row.cancelRequestedAt !== null,
    cancelRequestedAt: undefined,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  });
  if (parsed.success) return parsed.data;
  const contract = contractFor(row.kind);
  const reason = !contract
    ? `this server does not know the kind ${row.kind}`
    : contract.version === row.payloadVersion
      ? `its stored data does not match the ${row.kind} v${contract.version} schema`
      : `it was stored as ${row.kind} v${row.payloadVersion} and this server reads v${contract.version}`;
  throw new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: `Job ${row.id} cannot be shown: ${reason}.`,
  });
}
