import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedSetupError } from './setup-error.ts';

/** The embedded server's superuser. It listens on 127.0.0.1 only, with a password of its own. */
export const superuser = 'postgres';

/**
 * What every embedded cluster's superuser answered to before each got its own password (any local
 * user of the host could connect as it). A cluster still on it is switched at its next start.
 */
export const legacyPassword = 'postgres';

/** Kept in the cluster's own folder (not in PostgreSQL's way: it ignores files it does not know). */
export function passwordFileOf(dataDir: string): string {
  return join(dataDir, 'jobkit-superuser-password');
}

export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** The password of the cluster in `dataDir`, or null when it has none of its own yet. */
export async function readStoredPassword(dataDir: string): Promise<string | null> {
  try {
    return (await readFile(passwordFileOf(dataDir), 'utf8')).trim();
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw error;
  }
}

/** The password processes that attach to (or started) the cluster in `dataDir` connect with. */
export async function readEmbeddedPassword(dataDir: string): Promise<string> {
  const password = await readStoredPassword(dataDir);
  if (password === null) {
    throw new EmbeddedSetupError(
      `The embedded database in ${dataDir} has no password file (${passwordFileOf(dataDir)}). ` +
        'Restart the app (pnpm start) with this version: it gives the database a password of its own.',
    );
  }
  return password;
}

/** Readable by its owner only; written whole (a crash leaves the old file or the new one). */
export async function storePassword(dataDir: string, password: string): Promise<void> {
  const file = passwordFileOf(dataDir);
  await writeFile(`${file}.new`, `${password}\n`, { mode: 0o600 });
  await rename(`${file}.new`, file);
}
