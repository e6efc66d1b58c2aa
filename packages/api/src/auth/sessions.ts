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

export async function actorForSession(db: Database, token: string): Promise<Actor | null> {
  const session = await db.prisma.session.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { expiresAt: true, user: { select: { id: true, role: true } } },
  });
  if (!session || session.expiresAt <= new Date()) return null;
  return { userId: session.user.id, role: session.user.role };
}
