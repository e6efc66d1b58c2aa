/**
 * The proof that a new kind is only what `pnpm gen:kind` writes: in a copy of the repository the
 * generator adds `wordCount`; the packages that see the kind type-check and lint with it, its
 * generated test passes, and the copy's own server starts a job of it over HTTP that the copy's
 * worker completes. Nothing but the generator touches the copy.
 */
import { createApiToken } from '@jobkit/api';
import { createTestDatabase, createTestUser, startTypeScriptProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const kind = 'wordCount';
const generated = ['packages/analyses/src/contracts/word-count.ts', 'packages/analyses/src/handlers/word-count.ts', 'packages/analyses/test/word-count.test.ts', 'apps/web/src/kinds/word-count.tsx'];
const registries = ['packages/analyses/src/contracts/index.ts', 'packages/analyses/src/handlers/index.ts', 'apps/web/src/kinds/index.ts'];
const analysesFiles = [...generated, ...registries].filter((file) => file.startsWith('packages/analyses/')).map((file) => file.slice('packages/analyses/'.length));

let copy: string;
let db: TestDatabase;
let server: TestProcess | undefined;

/** Runs a command to its end (bounded), resolving with what it printed; rejects on a non-zero exit. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} in ${cwd} ended with ${signal ?? `code ${code}`}:\n${output}`));
    });
  });
}

/**
 * The working tree as git sees it (tracked and new files, nothing ignored), plus what installing
 * made that a fresh clone would also have: each package's node_modules (pnpm's links there are
 * relative, so they resolve inside the copy) and the generated Prisma client. The root
 * node_modules, third-party packages only, is shared by a link.
 */
async function copyRepository(): Promise<string> {
  const target = await mkdtemp(join(tmpdir(), 'jobkit-kind-'));
  await run('sh', ['-c', `git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C '${target}'`], repo);
  const folders = ['bench', 'e2e'];
  for (const group of ['apps', 'packages', 'tooling']) {
    for (const entry of await readdir(join(repo, group), { withFileTypes: true })) if (entry.isDirectory()) folders.push(`${group}/${entry.name}`);
  }
  for (const folder of [...folders.map((name) => `${name}/node_modules`), 'packages/db/src/generated']) {
    await cp(join(repo, folder), join(target, folder), { recursive: true, verbatimSymlinks: true, force: true }).catch((error: unknown) => {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    });
  }
  await symlink(join(repo, 'node_modules'), join(target, 'node_modules'));
  return target;
}

beforeAll(async () => {
  [copy, db] = await Promise.all([copyRepository(), createTestDatabase()]);
  const { packageManager } = z.object({ packageManager: z.string() }).parse(JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')));
  await run('npx', ['-y', packageManager, 'gen:kind', kind], copy);
});
afterAll(async () => {
  await server?.kill('SIGTERM');
  await db.drop();
  await rm(copy, { recursive: true, force: true });
});

describe('pnpm gen:kind', () => {
  it('writes a kind that type-checks, lints and passes its own test', { timeout: 600_000 }, async () => {
    const registryText = await Promise.all(registries.map((file) => readFile(join(copy, file), 'utf8')));
    expect(registryText.map((text) => text.split('\n').filter((line) => /wordCount|word-count/.test(line)).length)).toEqual([3, 2, 2]);
    const tool = (folder: string, name: string) => join(copy, folder, 'node_modules', '.bin', name);
    const { adminUrl } = inject('testDatabaseServer');
    const checks = [
      ...['packages/analyses', 'packages/api', 'apps/web'].map((folder) => () => run(tool(folder, 'tsc'), ['--noEmit', '-p', '.'], join(copy, folder))),
      () => run(tool('packages/analyses', 'eslint'), analysesFiles, join(copy, 'packages/analyses')),
      () => run(tool('apps/web', 'eslint'), ['src/kinds/word-count.tsx', 'src/kinds/index.ts'], join(copy, 'apps/web')),
      () => run(tool('packages/analyses', 'vitest'), ['run', 'test/word-count.test.ts'], join(copy, 'packages/analyses'), { TEST_DATABASE_URL: adminUrl }),
    ];
    // Two at a time: each loads the whole program, and CI runs other packages' tests beside this one.
    const next = async (): Promise<void> => {
      const check = checks.shift();
      if (check) await check().then(next);
    };
    await Promise.all([next(), next()]);
  });

  it('starts the new kind over HTTP and a worker completes it', async () => {
    const userId = await createTestUser(db);
    const { token } = await createApiToken(db, userId, 'kind generator test');
    server = startTypeScriptProcess('src/main.ts', {
      cwd: join(copy, 'apps/server'),
      env: { DATABASE_URL: db.url, PORT: '0', RUN_WORKER: 'true', LOG_LEVEL: 'warn' },
    });
    const [, baseUrl] = await server.waitFor(/running at (http:\/\/\S+)/);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const started = await fetch(`${baseUrl}/trpc/analysis.startWordCount`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ input: { text: 'Queues keep the web fast.' } }),
    });
    expect(started.status).toBe(200);
    const { jobId } = z.object({ result: z.object({ data: z.object({ jobId: z.string() }) }) }).parse(await started.json()).result.data;

    const job = z.object({ result: z.object({ data: z.object({ kind: z.string(), status: z.string(), result: z.unknown() }) }) });
    const query = encodeURIComponent(JSON.stringify({ jobId }));
    let last: z.infer<typeof job>['result']['data'] | undefined;
    for (let poll = 0; poll < 300 && last?.status !== 'completed' && last?.status !== 'failed'; poll++) {
      if (poll > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      last = job.parse(await (await fetch(`${baseUrl}/trpc/jobs.getJob?input=${query}`, { headers })).json()).result.data;
    }
    expect(last).toMatchObject({ kind, status: 'completed', result: { characters: 25 } });
  });
});
