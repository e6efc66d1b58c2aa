/**
 * In a deploy, the new version's processes start before or after `pnpm db:migrate`: the server and
 * the worker on DATABASE_URL never migrate; they wait for it, saying what to run, then start.
 */
import { applyMigrations, openPool } from '@jobkit/db';
import { databaseUrlFor, type TestProcess } from '@jobkit/db/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startApp } from './processes.ts';

const { adminUrl } = inject('testDatabaseServer');
const name = `jobkit_deploy_${process.pid}`;
const running: TestProcess[] = [];

async function admin(text: string): Promise<void> {
  const pool = openPool(adminUrl, 1);
  try {
    await pool.query(text);
  } finally {
    await pool.end();
  }
}

afterAll(async () => {
  await Promise.all(running.map((app) => app.kill()));
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('a deploy onto a database not migrated yet', () => {
  it('has the server and a worker wait for pnpm db:migrate, then start', async () => {
    await admin(`CREATE DATABASE ${name}`);
    const url = databaseUrlFor(adminUrl, name);
    const server = startApp('server', { DATABASE_URL: url, PORT: '0', RUN_WORKER: 'false' });
    const worker = startApp('worker', { DATABASE_URL: url });
    running.push(server, worker);
    for (const app of [server, worker]) await app.waitFor(/lacks \d+ migration\(s\) this version needs .*Run `pnpm db:migrate` with this version; waiting for it/);

    await applyMigrations(url); // what `pnpm db:migrate` does
    const [, address = ''] = await server.waitFor(/Jobkit is running at (http:\S+)/);
    await worker.waitFor(/^Worker \S+ is running/m);
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    for (const app of [server, worker]) expect(app.output()).toContain('The database is migrated; starting.');
  }, 180_000);
});
