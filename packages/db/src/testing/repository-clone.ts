/**
 * This repository as a person gets it, for the tests of "the two commands work anywhere": `git
 * clone` of HEAD and the README's install (offline: from the pnpm store the repository's own install
 * filled, so it takes seconds), in a fresh `mktemp -d` folder (mode 700) whose path has a space, as a
 * clone into root's home in a container is. It runs what HEAD holds: commit before running them.
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/** The README's pnpm. */
const pnpm = ['-y', 'pnpm@10.34.8'];

export const runsAsRoot = userInfo().uid === 0;

/** Who a command runs as; root's tests also run as a normal user (see `normalAccount`). */
export interface Account {
  name: string;
  uid: number;
  gid: number;
}

const testAccountName = 'jobkit-tester';

/**
 * A user that is not root: as root, `jobkit-tester` (made with useradd the first time, without a
 * home: its folders are the tests' own); otherwise whoever runs the tests.
 */
export async function normalAccount(): Promise<Account> {
  if (!runsAsRoot) {
    const { username, uid, gid } = userInfo();
    return { name: username, uid, gid };
  }
  const id = async (flag: string): Promise<number> => Number((await execFileAsync('id', [flag, testAccountName])).stdout.trim());
  const lookUp = async (): Promise<Account> => ({ name: testAccountName, uid: await id('-u'), gid: await id('-g') });
  try {
    return await lookUp();
  } catch {
    // Two test files may race to create it; the loser finds it made.
    await execFileAsync('useradd', ['--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', testAccountName]).catch(() => undefined);
    return lookUp();
  }
}

/** A `mktemp -d` folder (mode 700) with a space in its path, owned by `owner` (default: this process's user). */
export async function privateFolder(label: string, owner?: Account): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), `jobkit ${label} `));
  if (owner) await chown(folder, owner.uid, owner.gid);
  return folder;
}

export interface CommandResult {
  /** The exit code, or the signal that ended it. */
  exit: number | string;
  output: string;
}

/** Runs a command to its end and gives its exit and everything it printed; never rejects for a failed command. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; account?: Account; timeoutMs?: number },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const spawnOptions = {
      cwd: options.cwd,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', ...options.env },
      uid: options.account?.uid,
      gid: options.account?.gid,
      timeout: options.timeoutMs ?? 180_000,
      maxBuffer: 16 * 1024 * 1024,
    };
    execFile(command, args, spawnOptions, (error, stdout, stderr) => {
      const exit = error === null ? 0 : typeof error.code === 'number' ? error.code : (error.signal ?? String(error.code));
      resolve({ exit, output: `${stdout}${stderr}${error && !stdout && !stderr ? error.message : ''}` });
    });
  });
}

/** Like `runCommand`, for steps that must work: a failure rejects with what the command printed. */
async function mustRun(what: string, command: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  const result = await runCommand(command, args, { cwd, timeoutMs });
  if (result.exit !== 0) throw new Error(`${what} ended with ${String(result.exit)} (bound ${timeoutMs} ms):\n${result.output}`);
}

export interface RepositoryClone {
  /** The `mktemp -d` folder the clone is in. */
  folder: string;
  /** The clone itself. */
  root: string;
  /** `pnpm exec turbo run build` for the given filters, as `pnpm start` does before it starts. */
  build(filters: string[]): Promise<void>;
  remove(): Promise<void>;
}

/** Clones HEAD into a new private folder of `folderOwner` and installs it as CI does (offline, frozen lockfile: a HEAD whose lockfile is behind fails here as in CI). */
export async function cloneRepository(options: { folderOwner?: Account } = {}): Promise<RepositoryClone> {
  const folder = await privateFolder('clone', options.folderOwner);
  const root = join(folder, 'repo');
  try {
    await mustRun('git clone', 'git', ['clone', '--quiet', repositoryRoot, root], folder, 120_000);
    await mustRun('pnpm install', 'npx', [...pnpm, 'install', '--offline', '--frozen-lockfile'], root, 300_000);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    folder,
    root,
    build: (filters) =>
      mustRun('turbo build', 'npx', [...pnpm, 'exec', 'turbo', 'run', 'build', ...filters.map((filter) => `--filter=${filter}`), '--output-logs=errors-only'], root, 400_000),
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}
