import type { Database } from '@jobkit/db';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '../context.ts';
import { hashToken, newToken } from './secrets.ts';

const tokenPrefix = 'jk_';
/** `lastUsedAt` is a hint for people, not an audit log: write it at most once a minute. */
const lastUsedResolutionMs = 60_000;

export const apiTokenSelect = { id: true, name: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

export async function createApiToken(db: Database, userId: string, name: string) {
  const { token, tokenHash } = newToken(tokenPrefix);
  const record = await db.prisma.apiToken.create({
    data: { id: uuidv7(), userId, name, tokenHash },
    select: apiTokenSelect,
  });
  return { ...record, token };
}

// One statement with the join: every API call by a program starts here, so it stays one round trip.
const tokenActorSql = `
SELECT t.id, t.revoked_at, t.last_used_at, u.id AS user_id, u.role
FROM api_token t JOIN "user" u ON u.id = t.user_id
WHERE t.token_hash = $1`;

interface TokenActorRow {
  id: string;
  revoked_at: Date | null;
  last_used_at: Date | null;
  user_id: string;
  role: 'user' | 'admin';
}

export async function actorForApiToken(db: Database, token: string): Promise<Actor | null> {
  if (!token.startsWith(tokenPrefix)) return null;
  const { rows } = await db.pool.query<TokenActorRow>(tokenActorSql, [hashToken(token)]);
  const record = rows[0];
  if (!record || record.revoked_at) return null;
  if (!record.last_used_at || Date.now() - record.last_used_at.getTime() > lastUsedResolutionMs) {
    await db.prisma.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: new Date() } });
  }
  return { userId: record.user_id, role: record.role };
}
