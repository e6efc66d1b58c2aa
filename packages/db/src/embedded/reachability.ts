import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SpawnedAs } from './postgres-user.ts';

export interface BlockingFolder {
  path: string;
  /** The permission bits, e.g. 0o700. */
  mode: number;
  uid: number;
  gid: number;
}

/** "/root (mode 700, owner uid 0)": what a message shows of a folder in the way. */
export function describeBlocking(folder: BlockingFolder): string {
  return `${folder.path} (mode ${folder.mode.toString(8)}, owner uid ${folder.uid}, group gid ${folder.gid})`;
}

/** Every folder on the way to `path`, from `/` down to `path` itself. */
function foldersOnTheWay(path: string): string[] {
  const parent = dirname(path);
  return parent === path ? [path] : [...foldersOnTheWay(parent), path];
}

/**
 * The first folder on the way to the existing folder `path` (itself included) that `who` may not
 * enter, by the permission bits the kernel applies: the owner's when `who` owns it, else the
 * group's when it is `who`'s group, else the others'. Symbolic links are resolved first, as the
 * kernel follows them. (ACLs are not read: a folder they open is reported closed, and the caller
 * then moves what it needs somewhere else, which still works.)
 */
export async function findBlockingFolder(path: string, who: SpawnedAs): Promise<BlockingFolder | null> {
  for (const folder of foldersOnTheWay(await realpath(path))) {
    const { mode, uid, gid } = await stat(folder);
    const execute = uid === who.uid ? 0o100 : gid === who.gid ? 0o010 : 0o001;
    if ((mode & execute) === 0) return { path: folder, mode: mode & 0o7777, uid, gid };
  }
  return null;
}
