import { statementFor, type NamedStatement, type Queryable } from '@jobkit/db';
import type { QueryResultRow } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { jobsChannel } from './notifications.ts';

export interface NewJob {
  kind: string;
  payloadVersion: number;
  /** Already validated by the kind's input schema; stored as JSON. */
  input: unknown;
  ownerId: string;
  maxAttempts: number;
  /** Higher runs first. Default 0. */
  priority?: number;
  /** Not before this instant. Default now. */
  runAt?: Date;
  /** A second job with the same owner, kind and key is not created; the first is returned. */
  idempotencyKey?: string | undefined;
  /** The owner's webhook endpoint to call, signed, when the job finishes (check ownership first). */
  webhookEndpointId?: string | undefined;
  /** E-mail the owner when the job finishes (check first that this server can send mail). Default false. */
  notifyByEmail?: boolean | undefined;
  /**
   * Uploaded files the job reads, linked to it so they live as long as it does. Only files of the
   * job's owner are linked: check ownership first to give the caller a clear error.
   */
  inputFileIds?: readonly string[] | undefined;
  /**
   * The trace context of the span that enqueued it, as propagation headers (W3C `traceparent`,
   * `tracestate`): the worker's run span links to it. Absent when tracing is off.
   */
  traceContext?: Readonly<Record<string, string>> | undefined;
}

export interface EnqueuedJob {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  /** False when an existing job with the same idempotency key was returned instead. */
  created: boolean;
}

interface JobRecordRow {
  id: string;
  kind: string;
  status: EnqueuedJob['status'];
  owner_id: string;
  idempotency_key: string | null;
}

// One statement for the whole batch: the rows travel as one JSON array. Workers are woken through
// NOTIFY in the same transaction, so they hear of the jobs exactly when the jobs become visible.
// Two variants (named where allowed, each connection plans each once): linking input files costs a
// second pass over the array and a join, which jobs without files should not pay.
function insertJobsStatement(linkFiles: boolean): NamedStatement {
  const links = `
), linked AS (
  INSERT INTO job_file (job_id, file_id, role)
  SELECT inserted.id, f.id, 'input'
  FROM inserted
  JOIN jsonb_to_recordset($1::jsonb) AS j(id uuid, input_file_ids jsonb) ON j.id = inserted.id
  JOIN stored_file f ON f.owner_id = inserted.owner_id
    AND f.id IN (SELECT value::uuid FROM jsonb_array_elements_text(j.input_file_ids))
  RETURNING file_id
), attached AS (
  UPDATE stored_file SET attached_at = coalesce(attached_at, now()) WHERE id IN (SELECT file_id FROM linked)`;
  return {
    name: linkFiles ? 'jobkit_insert_jobs_with_files' : 'jobkit_insert_jobs',
    text: `
WITH inserted AS (
  INSERT INTO job (id, kind, payload_version, input, owner_id, max_attempts, priority, run_at, idempotency_key, webhook_endpoint_id, notify_by_email, trace_context)
  SELECT j.id, j.kind, j.payload_version, j.input, j.owner_id, j.max_attempts,
         coalesce(j.priority, 0), coalesce(j.run_at, now()), j.idempotency_key, j.webhook_endpoint_id, j.notify_by_email, j.trace_context
  FROM jsonb_to_recordset($1::jsonb) AS j(
    id uuid, kind text, payload_version int, input jsonb, owner_id uuid, max_attempts int,
    priority int, run_at timestamptz, idempotency_key text, webhook_endpoint_id uuid, notify_by_email boolean, trace_context jsonb)
  -- job_idempotency_key is partial (keyed jobs only): the conflict target names its predicate.
  ON CONFLICT (owner_id, kind, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING id, kind, status, owner_id, idempotency_key${linkFiles ? links : ''}
), notified AS (
  SELECT pg_notify('${jobsChannel}', kind) FROM (SELECT DISTINCT kind FROM inserted) AS kinds
)
SELECT id, kind, status, owner_id, idempotency_key FROM inserted, (SELECT count(*) FROM notified) AS n`,
  };
}
const insertJobs = insertJobsStatement(false);
const insertJobsWithFiles = insertJobsStatement(true);

// Runs as a statement of its own, after the insert: a job inserted by a concurrent start with the
// same key is then committed and visible (the insert waited for it on the unique index).
const existingJobsSql = `
SELECT id, kind, status, owner_id, idempotency_key FROM job
WHERE idempotency_key IS NOT NULL AND (owner_id, kind, idempotency_key) IN (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS k(owner_id uuid, kind text, idempotency_key text))`;

function keyOf(ownerId: string, kind: string, idempotencyKey: string | null | undefined): string {
  return JSON.stringify([ownerId, kind, idempotencyKey]);
}

/**
 * Sends one statement and returns its rows. A NamedStatement may be prepared where the connection
 * allows it; a string is always sent unnamed. How the insert reaches a pg pool or client
 * (enqueueJobs) or another driver's transaction (enqueueWithin: a Prisma transaction client).
 */
export type SendStatement = <Row extends QueryResultRow>(statement: NamedStatement | string, values: unknown[]) => Promise<Row[]>;

/**
 * Inserts the jobs in one statement and returns them in the order given. `db` may be a client in
 * a transaction (the API counts a user's jobs and inserts under one lock).
 */
export async function enqueueJobs(db: Queryable, jobs: readonly NewJob[]): Promise<EnqueuedJob[]> {
  const send: SendStatement = async <Row extends QueryResultRow>(statement: NamedStatement | string, values: unknown[]) => {
    const config = typeof statement === 'string' ? { text: statement } : statementFor(db, statement);
    return (await db.query<Row>({ ...config, values })).rows;
  };
  return sendJobs(send, jobs);
}

/** enqueueJobs through any connection: `send` carries the statements. */
export async function sendJobs(send: SendStatement, jobs: readonly NewJob[]): Promise<EnqueuedJob[]> {
  if (jobs.length === 0) return [];
  const records = jobs.map((job) => ({
    id: uuidv7(),
    kind: job.kind,
    payload_version: job.payloadVersion,
    input: job.input,
    owner_id: job.ownerId,
    max_attempts: job.maxAttempts,
    priority: job.priority ?? null,
    run_at: job.runAt?.toISOString() ?? null,
    idempotency_key: job.idempotencyKey ?? null,
    webhook_endpoint_id: job.webhookEndpointId ?? null,
    notify_by_email: job.notifyByEmail ?? false,
    input_file_ids: job.inputFileIds ?? [],
    trace_context: job.traceContext ?? null,
  }));
  const statement = jobs.some((job) => job.inputFileIds?.length) ? insertJobsWithFiles : insertJobs;
  const rows = await send<JobRecordRow>(statement, [JSON.stringify(records)]);
  const byKey = new Map(rows.map((row) => [keyOf(row.owner_id, row.kind, row.idempotency_key), row]));
  const byId = new Map(rows.map((row) => [row.id, row]));

  const missing = records.filter((record) => !byId.has(record.id) && record.idempotency_key !== null);
  if (missing.length > 0) {
    const keys = missing.map(({ owner_id, kind, idempotency_key }) => ({ owner_id, kind, idempotency_key }));
    const existing = await send<JobRecordRow>(existingJobsSql, [JSON.stringify(keys)]);
    for (const row of existing) byKey.set(keyOf(row.owner_id, row.kind, row.idempotency_key), row);
  }

  return records.map((record) => {
    const row = byId.get(record.id) ?? byKey.get(keyOf(record.owner_id, record.kind, record.idempotency_key));
    if (!row) throw new Error(`Job ${record.id} was neither inserted nor found by its idempotency key`);
    return { id: row.id, kind: row.kind, status: row.status, created: row.id === record.id };
  });
}
