import type { TestProcess } from '@jobkit/db/testing';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from './processes.ts';

const execFileAsync = promisify(execFile);

const serverDir = fileURLToPath(new URL('../', import.meta.url));
let dataDir: string;
const running: TestProcess[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'jobkit-data-dir-test-'));
  // As root, PostgreSQL runs as the `postgres` user, which must reach the cluster inside.
  await chmod(dataDir, 0o755);
});
afterAll(async () => {
  // The server last: it holds the embedded PostgreSQL the others use.
  for (const process of running.reverse()) await process.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
});

/** `pnpm user:create` as a real process; resolves with what it printed. */
async function createUser(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/create-user.ts', ...args], {
    cwd: serverDir,
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return stdout + stderr;
}

describe('a custom JOBKIT_DATA_DIR', () => {
  it('is where the server keeps its embedded database, and where user:create and pnpm worker find it', async () => {
    const server = startApp('server', { JOBKIT_DATA_DIR: dataDir, PORT: '0', RUN_WORKER: 'false' });
    running.push(server);
    const [, baseUrl] = await server.waitFor(/running at (http:\/\/\S+)/, 120_000);
    expect((await readFile(join(dataDir, 'postgres', 'jobkit-superuser-password'), 'utf8')).trim()).toMatch(/^[\w-]{32}$/);

    const printed = await createUser(['--email', 'ada@example.test'], { JOBKIT_DATA_DIR: dataDir, JOBKIT_PASSWORD: 'a long enough password' });
    expect(printed).toMatch(/Created user ada@example\.test/);

    const signIn = await fetch(`${baseUrl ?? ''}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.test', password: 'a long enough password' }),
    });
    expect(signIn.status).toBe(200);

    const worker = startApp('worker', { JOBKIT_DATA_DIR: dataDir });
    running.push(worker);
    await worker.waitFor(/Worker \S+ is running/, 60_000);
  }, 240_000);
});
