import type { Database } from '@jobkit/db';
import { checkWebhookTarget, generateWebhookSecret, parseWebhookAllowList } from '@jobkit/webhooks';
import { TRPCError } from '@trpc/server';
import { v7 as uuidv7 } from 'uuid';
import type { ApiSettings } from '../context.ts';

/** Endpoints one user may have; each is checked and signed for on every delivery. */
export const maxEndpointsPerUser = 20;

/** What the owner sees of an endpoint: never its secrets, which are shown once. */
export interface EndpointSummary {
  id: string;
  url: string;
  description: string;
  createdAt: string;
  /** During a rotation: when the previous secret stops signing. */
  previousSecretExpiresAt: string | null;
}

interface EndpointRow {
  id: string;
  url: string;
  description: string;
  created_at: Date;
  previous_secret_expires_at: Date | null;
}

function summaryOf(row: EndpointRow): EndpointSummary {
  const rotating = row.previous_secret_expires_at !== null && row.previous_secret_expires_at.getTime() > Date.now();
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    previousSecretExpiresAt: rotating ? (row.previous_secret_expires_at?.toISOString() ?? null) : null,
  };
}

function notFound(id: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `No webhook endpoint ${id}.` });
}

/** Refuses, with the reason in words, a URL that webhooks may not reach (see checkWebhookTarget). */
export async function assertReachableTarget(settings: ApiSettings, url: string): Promise<void> {
  const check = await checkWebhookTarget(url, { allow: parseWebhookAllowList(settings.webhookAllow) });
  if (!check.ok) throw new TRPCError({ code: 'BAD_REQUEST', message: check.reason });
}

const endpointColumns = 'id, url, description, created_at, previous_secret_expires_at';

/**
 * Stores a new endpoint with a fresh secret, within the per-user cap: the count and the insert run
 * under a lock per owner, so concurrent creates cannot pass it together.
 */
export async function createEndpoint(
  db: Database,
  ownerId: string,
  endpoint: { url: string; description: string },
): Promise<EndpointSummary & { secret: string }> {
  const secret = generateWebhookSecret();
  const client = await db.pool.connect();
  let row: EndpointRow | undefined;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('jobkit.webhook_endpoint:' || $1, 0))`, [ownerId]);
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_endpoint WHERE owner_id = $1', [ownerId]);
    const count = rows[0]?.n ?? 0;
    if (count >= maxEndpointsPerUser) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `You have ${count} webhook endpoints, the most allowed; delete one before creating another.`,
      });
    }
    const inserted = await client.query<EndpointRow>(
      `INSERT INTO webhook_endpoint (id, owner_id, url, description, secret) VALUES ($1, $2, $3, $4, $5) RETURNING ${endpointColumns}`,
      [uuidv7(), ownerId, endpoint.url, endpoint.description, secret],
    );
    await client.query('COMMIT');
    row = inserted.rows[0];
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  if (!row) throw new Error('INSERT … RETURNING gave no row');
  return { ...summaryOf(row), secret };
}

export async function listEndpoints(db: Database, ownerId: string): Promise<EndpointSummary[]> {
  const { rows } = await db.pool.query<EndpointRow>(
    `SELECT ${endpointColumns} FROM webhook_endpoint WHERE owner_id = $1 ORDER BY id DESC`,
    [ownerId],
  );
  return rows.map(summaryOf);
}

/**
 * A new current secret; the one it replaces keeps signing beside it for `overlapMinutes`, so
 * receivers can switch without missing a delivery. A secret older than that is dropped at once.
 */
export async function rotateEndpointSecret(
  db: Database,
  ownerId: string,
  id: string,
  overlapMinutes: number,
): Promise<EndpointSummary & { secret: string }> {
  const secret = generateWebhookSecret();
  const { rows } = await db.pool.query<EndpointRow>(
    `UPDATE webhook_endpoint
     SET previous_secret = secret, previous_secret_expires_at = now() + make_interval(mins => $3), secret = $4
     WHERE id = $1 AND owner_id = $2
     RETURNING ${endpointColumns}`,
    [id, ownerId, overlapMinutes, secret],
  );
  const [row] = rows;
  if (!row) throw notFound(id);
  return { ...summaryOf(row), secret };
}

/** Jobs that named it keep running and call no webhook (the foreign key sets theirs to null). */
export async function deleteEndpoint(db: Database, ownerId: string, id: string): Promise<void> {
  const { rowCount } = await db.pool.query('DELETE FROM webhook_endpoint WHERE id = $1 AND owner_id = $2', [id, ownerId]);
  if (rowCount === 0) throw notFound(id);
}

async function checkOwnEndpoint(db: Database, ownerId: string, id: string): Promise<void> {
  const { rowCount } = await db.pool.query('SELECT 1 FROM webhook_endpoint WHERE id = $1 AND owner_id = $2', [id, ownerId]);
  if (rowCount === 0) {
    throw new TRPCError({
      code: 'NOT_FOUND',
      message: `No webhook endpoint ${id}: name one of yours (webhooks.list), or create one with webhooks.create.`,
    });
  }
}

// One request's checks by endpoint id: startMany's 1,000 starts naming one endpoint look it up once.
const checksByRequest = new WeakMap<object, Map<string, Promise<void>>>();

/** For starts: the endpoint must be the caller's own. `request` is the procedure's context. */
export function assertOwnEndpoint(request: object, db: Database, ownerId: string, id: string): Promise<void> {
  let checks = checksByRequest.get(request);
  if (!checks) {
    checks = new Map();
    checksByRequest.set(request, checks);
  }
  let check = checks.get(id);
  if (!check) {
    check = checkOwnEndpoint(db, ownerId, id);
    checks.set(id, check);
  }
  return check;
}
