import type { Database } from '@jobkit/db';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { createUser } from './users.ts';

const demoCredentialsSchema = z.array(z.object({ email: z.string(), password: z.string(), role: z.enum(['user', 'admin']) }));
export type DemoCredentials = z.infer<typeof demoCredentialsSchema>;

/**
 * For the one-command local run only: on a database with no users, makes a demo admin and a demo
 * user with random passwords, keeps those in `file` (readable by its owner only, in the git-ignored
 * data folder) and returns them on every start so the banner can say how to sign in.
 */
export async function ensureDemoUsers(db: Database, file: string): Promise<DemoCredentials> {
  try {
    return demoCredentialsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    // No credentials file yet (or an unreadable one): make the users if nobody exists.
  }
  if ((await db.prisma.user.count()) > 0) return [];
  const credentials: DemoCredentials = [
    { email: 'admin@jobkit.local', password: randomBytes(12).toString('base64url'), role: 'admin' },
    { email: 'user@jobkit.local', password: randomBytes(12).toString('base64url'), role: 'user' },
  ];
  for (const { email, password, role } of credentials) {
    await createUser(db, { email, password, role, name: role === 'admin' ? 'Demo admin' : 'Demo user' });
  }
  await writeFile(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}
