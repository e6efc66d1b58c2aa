import type { Database } from '@jobkit/db';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from './context.ts';

export const localUserEmail = 'local@jobkit.invalid';

/**
 * The owner of jobs started before sign-in exists: one local administrator per database, made on
 * first start. Authentication (issue 5) replaces it with real users and sessions.
 */
export async function ensureLocalUser(db: Database): Promise<Actor> {
  const user = await db.prisma.user.upsert({
    where: { email: localUserEmail },
    update: {},
    create: { id: uuidv7(), email: localUserEmail, name: 'Local user', role: 'admin' },
    select: { id: true, role: true },
  });
  return { userId: user.id, role: user.role };
}
