import { fileTypes, storableValue, type JobContract, type JobInput } from '@jobkit/contract';
import type pg from 'pg';
import type { QueryResultRow } from 'pg';
import { sendJobs, type EnqueuedJob, type SendStatement } from './enqueue.ts';

/**
 * The client of a Prisma interactive transaction (`prisma.$transaction(async (tx) => ...)`), of
 * any schema: only raw SQL is sent through it, so a team's own generated client fits as well.
 */
export interface PrismaTransaction {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

/** Where the caller's transaction lives: a Prisma transaction client, or a pg client after BEGIN. */
export type CallerTransaction = PrismaTransaction | pg.ClientBase;

export interface EnqueueWithinOptions {
  /** The user the job belongs to: its owner reads it, and its input files must be theirs. */
  ownerId: string;
  /** Higher runs first. Default 0. */
  priority?: number | undefined;
  /** Not before this instant. Default now. */
  runAt?: Date | undefined;
  /** A second job with the same owner, kind and key is not created; the first is returned. */
  idempotencyKey?: string | undefined;
  /** One of the owner's webhook endpoints, called when the job finishes. */
  webhookEndpointId?: string | undefined;
  /** E-mail the owner when the job finishes; whether this installation sends mail is the caller's to know. */
  notifyByEmail?: boolean | undefined;
}

/** The input was refused before anything was sent: nothing of it is stored. */
export class InvalidJobInput extends Error {
  override readonly name = 'InvalidJobInput';
  constructor(
    readonly kind: string,
    readonly issues: readonly { path: readonly PropertyKey[]; message: string }[],
  ) {
    const listed = issues.map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`);
    super(`Invalid input for a ${kind} job: ${listed.join('; ')}`);
  }
}

/**
 * Statements go unnamed through either: a Prisma transaction has no named statements, and a
 * team's client may sit behind a transaction-mode pooler, where a prepared name is not kept.
 */
function sendThrough(transaction: CallerTransaction): SendStatement {
  if ('$queryRawUnsafe' in transaction) {
    return async <Row extends QueryResultRow>(statement: { text: string } | string, values: unknown[]) =>
      transaction.$queryRawUnsafe<Row[]>(typeof statement === 'string' ? statement : statement.text, ...values);
  }
  return async <Row extends QueryResultRow>(statement: { text: string } | string, values: unknown[]) => {
    const text = typeof statement === 'string' ? statement : statement.text;
    return (await transaction.query<Row>({ text, values })).rows;
  };
}

interface FileRow {
  id: string;
  content_type: string;
}

// Checked before sending: a value PostgreSQL cannot cast to uuid would fail the statement, and with
// it the caller's transaction.
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ownFilesSql = `
SELECT id::text, content_type FROM stored_file
WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)) AND owner_id = $2::uuid AND staged_at IS NULL`;

/**
 * The uploads the input names (the kind's `fileInputs`), checked as the API checks them: published
 * files of the owner, of a type the kind reads. A worker reads only its job's owner's files, so
 * anything else would be stored and then fail.
 */
async function inputFileIds(send: SendStatement, contract: JobContract, input: unknown, ownerId: string): Promise<string[]> {
  if (typeof input !== 'object' || input === null) return [];
  const named = Object.entries(input).flatMap(([field, value]) => {
    const accepts = Object.hasOwn(contract.fileInputs, field) ? contract.fileInputs[field] : undefined;
    return accepts && typeof value === 'string' ? [{ field, fileId: value, accepts }] : [];
  });
  if (named.length === 0) return [];
  const ids = named.map((file) => file.fileId).filter((id) => uuidPattern.test(id));
  const rows = ids.length === 0 ? [] : await send<FileRow>(ownFilesSql, [JSON.stringify(ids), ownerId]);
  const found = new Map(rows.map((row) => [row.id, row.content_type]));
  const issues = named.flatMap(({ field, fileId, accepts }) => {
    const contentType = found.get(fileId);
    if (contentType === undefined) return [{ path: [field], message: `no uploaded file ${fileId} of owner ${ownerId}` }];
    if (accepts.some((type) => fileTypes[type].contentType === contentType)) return [];
    return [{ path: [field], message: `file ${fileId} is ${contentType}; ${contract.kind} reads ${accepts.join(', ')}` }];
  });
  if (issues.length > 0) throw new InvalidJobInput(contract.kind, issues);
  return named.map((file) => file.fileId);
}

/** The job's completion is signed with the endpoint's secret and sent there: it must be the owner's. */
async function checkOwnEndpoint(send: SendStatement, kind: string, endpointId: string, ownerId: string): Promise<void> {
  const found = uuidPattern.test(endpointId)
    ? await send('SELECT 1 FROM webhook_endpoint WHERE id = $1::uuid AND owner_id = $2::uuid', [endpointId, ownerId])
    : [];
  if (found.length === 0) {
    throw new InvalidJobInput(kind, [{ path: ['webhookEndpointId'], message: `no webhook endpoint ${endpointId} of owner ${ownerId}` }]);
  }
}

/**
 * Enqueues one job inside the caller's own transaction, so it is stored together with the caller's
 * writes or not at all (as pg-boss's `fromPrisma(tx)`):
 *
 *   await prisma.$transaction(async (tx) => {
 *     const order = await tx.order.create({ data });
 *     await enqueueWithin(tx, documentAnalysis, { fileId: order.fileId }, { ownerId: order.userId });
 *   });
 *
 * The input is checked as the API checks a start: text PostgreSQL can store, the kind's own input
 * schema, its files and webhook endpoint (the owner's own); then stored as parsed, with the contract's payload version and attempts, so
 * a worker can read whatever this stores. Refused input throws InvalidJobInput before anything is
 * written, and without failing a statement (the caller's transaction stays usable). Workers hear
 * of the job when the transaction commits (NOTIFY is delivered then), never of one rolled back.
 */
export async function enqueueWithin<C extends JobContract>(
  transaction: CallerTransaction,
  contract: C,
  input: JobInput<C>,
  options: EnqueueWithinOptions,
): Promise<EnqueuedJob> {
  if (!uuidPattern.test(options.ownerId)) throw new InvalidJobInput(contract.kind, [{ path: ['ownerId'], message: 'must be a user id (a UUID)' }]);
  const storable = storableValue.safeParse(input);
  if (!storable.success) throw new InvalidJobInput(contract.kind, storable.error.issues);
  const parsed = contract.input.safeParse(input);
  if (!parsed.success) throw new InvalidJobInput(contract.kind, parsed.error.issues);
  const send = sendThrough(transaction);
  if (options.webhookEndpointId !== undefined) await checkOwnEndpoint(send, contract.kind, options.webhookEndpointId, options.ownerId);
  const [job] = await sendJobs(send, [
    {
      kind: contract.kind,
      payloadVersion: contract.version,
      input: parsed.data,
      ownerId: options.ownerId,
      maxAttempts: contract.maxAttempts,
      priority: options.priority,
      runAt: options.runAt,
      idempotencyKey: options.idempotencyKey,
      webhookEndpointId: options.webhookEndpointId,
      notifyByEmail: options.notifyByEmail,
      inputFileIds: await inputFileIds(send, contract, parsed.data, options.ownerId),
    },
  ]);
  if (!job) throw new Error('enqueueJobs returned no job for one request');
  return job;
}
