/**
 * "The two commands work anywhere": `pnpm start`'s server, compiled as `start` builds it, from a clone
 * in a private folder (mode 700, a space in its path): as root, where PostgreSQL runs as the
 * `postgres` user that cannot enter the clone, with the data in the clone's `.data/` (and then the
 * commands that must find that database again); and as a normal user with JOBKIT_DATA_DIR in a
 * folder of its own. The web app is not built: where the database lives does not depend on it.
 */
import {
  cloneRepository,
  normalAccount,
  privateFolder,
  runCommand,
  runsAsRoot,
  startBuiltProcess,
  type Account,
  type RepositoryClone,
  type TestProcess,
} from '@jobkit/db/testing';
import { existsSync } from 'node:fs';
import { lstat, readlink, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let clone: RepositoryClone;
let user: Account;
const running: TestProcess[] = [];
const folders: string[] = [];

beforeAll(async () => {
  user = await normalAccount();
  // The normal user's, so it can read the clone; the postgres user cannot enter it either way.
  clone = await cloneRepository({ folderOwner: user });
  await clone.build(['@jobkit/server...', '@jobkit/worker-app...']);
}, 700_000);
afterAll(async () => {
  for (const process of running.reverse()) await process.kill('SIGTERM');
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  await clone.remove();
});

/** An app's `pnpm … start`: its compiled main, plain node. */
function startApp(app: 'server' | 'worker', env: Record<string, string>, account?: Account): TestProcess {
  const started = startBuiltProcess('dist/main.js', { cwd: join(clone.root, 'apps', app), env: { LOG_LEVEL: 'warn', ...env }, account });
  running.push(started);
  return started;
}

async function startServer(env: Record<string, string>, account?: Account): Promise<{ server: TestProcess; url: string }> {
  const server = startApp('server', { PORT: '0', RUN_WORKER: 'false', ...env }, account);
  const [, url = ''] = await server.waitFor(/running at (http:\/\/\S+)/, 180_000);
  const health = await fetch(`${url}/healthz`);
  expect(health.status, server.output()).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  return { server, url };
}

/** Stops the server and waits for its PostgreSQL to be gone (its supervisor stops it when the server exits). */
async function stopServer(server: TestProcess, clusterDir: string): Promise<void> {
  await server.kill('SIGTERM');
  const lockFile = join(clusterDir, 'postmaster.pid');
  const bound = Date.now() + 60_000;
  while (existsSync(lockFile)) {
    if (Date.now() > bound) throw new Error(`PostgreSQL still held ${lockFile} 60 s after its server stopped. Server output:\n${server.output()}`);
    await sleep(200);
  }
}

describe.skipIf(!runsAsRoot)('as root (as CI runs; skipped otherwise)', () => {
  it('starts and answers /healthz with its database outside the clone, which user:create, pnpm worker, db:migrate and a restart find again', async () => {
    const { server } = await startServer({});
    const link = join(clone.root, '.data', 'postgres');
    expect((await lstat(link)).isSymbolicLink(), server.output()).toBe(true);
    const cluster = await readlink(link);
    folders.push(cluster);
    expect(server.output()).toContain(`lives in ${cluster}`);

    const created = await runCommand(process.execPath, ['--import', 'tsx', 'src/cli/create-user.ts', '--email', 'ada@example.test'], {
      cwd: join(clone.root, 'apps', 'server'),
      env: { JOBKIT_PASSWORD: 'a long enough password' },
    });
    expect(created.output).toMatch(/Created user ada@example\.test/);
    const worker = startApp('worker', {});
    await worker.waitFor(/Worker \S+ is running/, 120_000);
    await worker.kill('SIGTERM');
    await stopServer(server, cluster);

    const migrated = await runCommand(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], { cwd: join(clone.root, 'packages', 'db') });
    expect(migrated.output).toContain(`Migrations are up to date on embedded PostgreSQL in ${cluster}`);

    const again = await startServer({});
    expect(again.server.output()).toContain(`database: embedded PostgreSQL in ${cluster}`);
    await stopServer(again.server, cluster);
  }, 600_000);
});

describe('as a normal user', () => {
  it('starts and answers /healthz with JOBKIT_DATA_DIR in a private folder of its own', async () => {
    const folder = await privateFolder('data', runsAsRoot ? user : undefined);
    folders.push(folder);
    const dataDir = join(folder, 'data dir');
    const { server } = await startServer({ JOBKIT_DATA_DIR: dataDir }, runsAsRoot ? user : undefined);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION')), server.output()).toBe(true);
    expect(server.output()).not.toMatch(/lives in/);
    await stopServer(server, join(dataDir, 'postgres'));
  }, 300_000);

  it.skipIf(!runsAsRoot)('stops with one message saying what to do when it may not write its data folder (a folder of root\'s; skipped unless root)', async () => {
    const result = await runCommand(process.execPath, ['--conditions=@jobkit/dist', 'dist/main.js'], {
      cwd: join(clone.root, 'apps', 'server'),
      env: { PORT: '0', JOBKIT_DATA_DIR: join(clone.root, 'data of root') },
      account: user,
    });
    expect(result.exit, result.output).toBe(1);
    expect(result.output.trim().split('\n'), result.output).toEqual([expect.stringMatching(/data of root \(permission denied\)\. Set JOBKIT_DATA_DIR/)]);
  }, 120_000);
});
