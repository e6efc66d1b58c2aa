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

export async function actorForApiToken(db: Database, token: string): Promise<Actor | null> {
  if (!token.startsWith(tokenPrefix)) return null;
  const record = await db.prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, role: true } } },
  });
  if (!record || record.revokedAt) return null;
  if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > lastUsedResolutionMs) {
    await db.prisma.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: new Date() } });
  }
  return { userId: record.user.id, role: record.user.role };
}
