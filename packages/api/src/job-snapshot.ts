import { contractFor, jobSnapshotSchema, type JobSnapshot, type RegisteredJobContract } from '@jobkit/jobs';
import { statementFor, type Database } from '@jobkit/db';
import { TRPCError } from '@trpc/server';
import type { Actor } from './context.ts';
import { visibleOwner } from './job-scope.ts';

/**
 * The job a poller asks for, if the actor may see it: `visibleOwner`'s owner, and not past its
 * retention (the rule `visibleJobs` gives Prisma, written here in SQL). One statement (named where allowed) on the primary key, without the
 * ORM: this is the request every open browser tab repeats every second, and Prisma's query path
 * was the largest share of its CPU. The columns are named as the Prisma model names them.
 * With the version the poller already has (`$3`), an unchanged job comes back without its large
 * columns (result, error, progress data and message), so the poll costs the row's header only.
 */
const jobSnapshotSql = {
  name: 'jobkit_job_snapshot',
  text: `
SELECT id, kind, payload_version AS "payloadVersion", status, progress,
  CASE WHEN version = $3 THEN NULL ELSE progress_message END AS "progressMessage",
  CASE WHEN version = $3 THEN NULL ELSE progress_data END AS "progressData",
  CASE WHEN version = $3 THEN NULL ELSE result END AS result,
  CASE WHEN version = $3 THEN NULL ELSE error END AS error,
  attempt, max_attempts AS "maxAttempts",
  cancel_requested_at AS "cancelRequestedAt", created_at AS "createdAt", started_at AS "startedAt",
  finished_at AS "finishedAt", updated_at AS "updatedAt", version
FROM job
WHERE id = $1 AND ($2::uuid IS NULL OR owner_id = $2) AND (expires_at IS NULL OR expires_at > now())`,
};

/** With `knownVersion`, a row still at that version comes without its large columns (see above). */
export async function findJobSnapshotRow(db: Database, actor: Actor, jobId: string, knownVersion: number | null = null): Promise<JobSnapshotRow | undefined> {
  const { rows } = await db.pool.query<JobSnapshotRow>({ ...statementFor(db.pool, jobSnapshotSql), values: [jobId, visibleOwner(actor), knownVersion] });
  return rows[0];
}

/** What `jobs.pollJob` answers: the job, or only that the poller's version is still the latest. */
export type JobPoll = { changed: false; version: number } | { changed: true; job: JobSnapshot };

/** One statement: the job if its version is not `knownVersion`, else only that it is unchanged. */
export async function pollJobSnapshot(db: Database, actor: Actor, jobId: string, knownVersion: number): Promise<JobPoll | undefined> {
  const row = await findJobSnapshotRow(db, actor, jobId, knownVersion);
  if (!row) return undefined;
  return row.version === knownVersion ? { changed: false, version: row.version } : { changed: true, job: toJobSnapshot(row) };
}

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
 * schemas: the typed union clients get is checked here, not assumed. A job stored by another
 * version of its kind (queued before a deploy, or finished by a newer worker during one) is shown
 * too: a result that does not fit today's output schema is given as stored, in `storedResult`,
 * and progress data that does not fit is left out (it is replaced at the next report).
 */
export function toJobSnapshot(row: JobSnapshotRow): JobSnapshot {
  const contract = contractFor(row.kind);
  // During a rolling deploy a browser's poll may reach a server of the release before the kind's.
  if (!contract) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: `This job is a ${row.kind}, which this server does not know yet (a newer version started it). Ask again shortly.`,
    });
  }
  const shown = {
    ...row,
    cancelRequested: row.cancelRequestedAt !== null,
    cancelRequestedAt: undefined,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
    storedResult: null,
  };
  const parsed = jobSnapshotSchema.safeParse(withStoredResult(shown, contract));
  if (parsed.success) return parsed.data;
  // Only the columns the database itself constrains are left to fail: a broken row, a server error.
  throw new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: `Job ${row.id} cannot be shown: its stored data does not match the ${row.kind} v${contract.version} schema.`,
  });
}

/** The fields of a job that belong to its kind's version, as stored. */
interface VersionedFields {
  kind: string;
  payloadVersion: number;
  progressData: unknown;
  result: unknown;
}

function withStoredResult<Shown extends VersionedFields>(shown: Shown, contract: RegisteredJobContract) {
  const progressData = contract.progress.safeParse(shown.progressData).success ? shown.progressData : null;
  if (shown.result === null) return { ...shown, progressData };
  const result = contract.output.safeParse(shown.result);
  if (result.success) return { ...shown, progressData };
  const [issue] = result.error.issues;
  const where = issue ? ` (${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message})` : '';
  const stored = shown.payloadVersion === contract.version ? '' : ` was stored by ${shown.kind} version ${shown.payloadVersion} and`;
  return {
    ...shown,
    progressData,
    result: null,
    storedResult: {
      payloadVersion: shown.payloadVersion,
      reason: `It${stored} does not fit version ${contract.version}${where}.`,
      data: shown.result,
    },
  };
}
