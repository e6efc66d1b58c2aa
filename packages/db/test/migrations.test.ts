import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyMigrations, readMigrations } from '../src/migrations/runner.ts';
import { diffSchemas } from '../src/migrations/schema-diff.mjs';
import { defaultMigrationsDir, schemaPath } from '../src/paths.ts';
import { databaseUrlFor } from '../src/testing/index.ts';

const { adminUrl } = inject('testDatabaseServer');
const created: string[] = [];

async function admin<T>(action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

async function emptyDatabase(): Promise<string> {
  const name = `jobkit_migrate_${created.length}_${process.pid}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  created.push(name);
  return databaseUrlFor(adminUrl, name);
}

afterAll(async () => {
  await admin(async (client) => {
    for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
});

describe('migrations', () => {
  it('applies every migration once and records it as prisma migrate deploy does', async () => {
    const url = await emptyDatabase();
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThan(0);

    expect(await applyMigrations(url)).toEqual(migrations.map((m) => m.name));
    expect(await applyMigrations(url)).toEqual([]);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      'SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    await client.end();
    const first = migrations[0];
    if (!first) throw new Error('no migrations');
    const fileBytes = await readFile(join(defaultMigrationsDir, first.name, 'migration.sql'));
    expect(rows[0]).toEqual({
      migration_name: first.name,
      checksum: createHash('sha256').update(fileBytes).digest('hex'),
      applied_steps_count: 1,
    });
    expect(rows).toHaveLength(migrations.length);
  });

  it('lets processes that start together apply each migration exactly once', async () => {
    const url = await emptyDatabase();
    const results = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
    // Each migration is locked on its own, so which process applies which one varies.
    const applied = results.flat().sort();
    expect(applied).toEqual((await readMigrations()).map((m) => m.name));
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const url = await emptyDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'jobkit-migrations-'));
    await cp(defaultMigrationsDir, dir, { recursive: true });
    await applyMigrations(url, dir);
    const [first] = await readMigrations(dir);
    if (!first) throw new Error('no migrations');
    await writeFile(join(dir, first.name, 'migration.sql'), `${first.sql}\n-- edited\n`);
    await expect(applyMigrations(url, dir)).rejects.toThrow(/was changed after it was applied/);
  });
});

describe('schema drift', () => {
  it('finds no difference between the migrated database and prisma/schema.prisma', async () => {
    const url = await emptyDatabase();
    await applyMigrations(url);
    const drift = await diffSchemas({ connectionString: url, from: 'database', to: { schemaFile: schemaPath } });
    expect(drift, 'schema.prisma and prisma/migrations disagree; run pnpm db:migration:create <name>').toBe('');
  });

  it('reports a schema change that no migration carries', async () => {
    const url = await emptyDatabase();
    await applyMigrations(url);
    const schema = await readFile(schemaPath, 'utf8');
    const changed = schema.replace('  kind              String\n', '  kind              String\n  label String?\n');
    expect(changed).not.toBe(schema);
    const drift = await diffSchemas({ connectionString: url, from: 'database', to: { schemaText: changed } });
    expect(drift).toContain('ADD COLUMN     "label" TEXT');
  });
});
