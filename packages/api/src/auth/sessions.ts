import type { Database } from '@jobkit/db';
import type { Actor } from '../context.ts';
import { hashToken, newToken } from './secrets.ts';

export const sessionLifetimeMs = 7 * 24 * 60 * 60 * 1000;

export async function createSession(db: Database, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const { token, tokenHash } = newToken('');
  const expiresAt = new Date(Date.now() + sessionLifetimeMs);
  await db.prisma.session.create({ data: { tokenHash, userId, expiresAt } });
  // Sessions that expired are of no use to anyone: clear them out as new ones are made.
  await db.prisma.session.deleteMany({ where: { userId, expiresAt: { lt: new Date() } } });
  return { token, expiresAt };
}

export async function deleteSession(db: Database, token: string): Promise<void> {
  await db.prisma.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

// One statement with the join: every request from the web app starts here.
const sessionActorSql = `
SELECT u.id AS user_id, u.role
FROM session s JOIN "user" u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now()`;

export async function actorForSession(db: Database, token: string): Promise<Actor | null> {
  const { rows } = await db.pool.query<{ user_id: string; role: 'user' | 'admin' }>(sessionActorSql, [hashToken(token)]);
  const row = rows[0];
  return row ? { userId: row.user_id, role: row.role } : null;
}
