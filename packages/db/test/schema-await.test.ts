/**
 * Only `pnpm db:migrate` (and `pnpm start` on its own embedded database) migrates. Every other
 * process finds the schema as it is: older than it knows, it waits, saying what to run; newer, it
 * refuses. (Each process migrating at boot fought rolling deploys: a new worker changed the schema
 * under the old fleet, an old one met a schema it did not know.)
 */
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bootDatabase, type BootedDatabase } from '../src/boot.ts';
import { applyMigrations } from '../src/migrations/runner.ts';
import { databaseUrlFor } from '../src/testing/index.ts';

const { adminUrl } = inject('testDatabaseServer');
const created: string[] = [];

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function emptyDatabase(): Promise<string> {
  const name = `jobkit_schema_${created.length}_${process.pid}`;
  await query(adminUrl, `CREATE DATABASE ${name}`);
  created.push(name);
  return databaseUrlFor(adminUrl, name);
}

async function hasJobTable(url: string): Promise<boolean> {
  const [row] = await query<{ exists: boolean }>(url, `SELECT to_regclass('job') IS NOT NULL AS exists`);
  return row?.exists ?? false;
}

afterAll(async () => {
  for (const name of created) await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('a process on a database it does not migrate (a worker, a server on DATABASE_URL)', () => {
  it('waits while migrations are missing, saying what to run, and starts once pnpm db:migrate has run', async () => {
    const url = await emptyDatabase();
    const logged: string[] = [];
    let booted: BootedDatabase | undefined;
    const boot = bootDatabase({ databaseUrl: url, embedded: 'attach', log: (line) => logged.push(line), schemaPollMs: 50 }).then((database) => {
      booted = database;
      return database;
    });
    for (let waited = 0; logged.length === 0 && waited < 20_000; waited += 50) await sleep(50);
    expect(logged[0]).toMatch(/^PostgreSQL at .* lacks \d+ migration\(s\) this version needs \(20261124122053_init, .*\)\. Run `pnpm db:migrate` with this version; waiting for it/);
    await sleep(300);
    expect([booted, await hasJobTable(url)]).toEqual([undefined, false]);

    await applyMigrations(url); // what `pnpm db:migrate` does
    const database = await boot;
    expect(logged).toEqual([logged[0], 'The database is migrated; starting.']);
    expect((await database.database.pool.query('SELECT count(*)::int AS jobs FROM job')).rows).toEqual([{ jobs: 0 }]);
    await database.shutdown();
  });

  it('refuses a database a newer version migrated, naming what it does not know', async () => {
    const url = await emptyDatabase();
    await applyMigrations(url);
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
       VALUES (gen_random_uuid(), repeat('0', 64), '20990101000000_from_a_newer_version', now(), 1)`,
    );
    await expect(bootDatabase({ databaseUrl: url, embedded: 'attach' })).rejects.toThrow(
      /has migrations this version of Jobkit does not know \(20990101000000_from_a_newer_version\): it was migrated by a newer version/,
    );
  });

  it('migrates when asked to, as pnpm db:migrate does', async () => {
    const url = await emptyDatabase();
    const booted = await bootDatabase({ databaseUrl: url, embedded: 'attach-or-start', migrations: 'apply' });
    await booted.shutdown();
    expect(await hasJobTable(url)).toBe(true);
  });
});
