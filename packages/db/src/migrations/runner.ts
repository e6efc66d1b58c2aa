import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { defaultMigrationsDir } from '../paths.ts';

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, recording each in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, sha256 checksum of
 * the file), so either tool can take over from the other. We need our own runner because the
 * Prisma CLI downloads a native engine to migrate, and this project must install offline.
 */

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = defaultMigrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

// Prisma's own definition of its bookkeeping table.
const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// One lock id for "migrating this database": processes that start together apply each file once.
// Taken per migration, for its transaction only: behind PgBouncer in transaction mode a session
// lock lands on whichever server connection ran that statement, is never let go, and the
// statements after it run elsewhere (6 processes migrating at once there broke, then hung).
const migrationLockId = 72_707_369;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Returns the names of the migrations it applied (empty when the database was up to date). */
export async function applyMigrations(url: string, dir = defaultMigrationsDir): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const appliedNow: string[] = [];
    for (const migration of migrations) {
      if (await applyUnlessApplied(client, migration)) appliedNow.push(migration.name);
    }
    return appliedNow;
  } finally {
    await client.end();
  }
}

/** In one transaction under the lock: checks the migration's record, and applies it when it has none. */
async function applyUnlessApplied(client: pg.Client, migration: Migration): Promise<boolean> {
  const id = randomUUID();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockId]);
    await client.query(createMigrationsTable);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND migration_name = $1',
      [migration.name],
    );
    const record = rows[0];
    if (record?.finished_at === null) {
      throw new MigrationError(
        `Migration ${migration.name} failed earlier and was left half-applied. Fix the database, then ` +
          `mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${migration.name}').`,
      );
    }
    if (record) {
      if (record.checksum !== migration.checksum) {
        throw new MigrationError(
          `Migration ${migration.name} was changed after it was applied. Restore the file and add a new migration instead.`,
        );
      }
      await client.query('COMMIT');
      return false;
    }
    // The whole file (simple query protocol, no splitting on ';') in this transaction: a failing
    // migration leaves nothing behind but its failed record.
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [id, migration.checksum, migration.name],
    );
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof MigrationError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, logs) VALUES ($1, $2, $3, now(), $4)',
      [id, migration.checksum, migration.name, message],
    );
    throw new MigrationError(`Migration ${migration.name} failed: ${message}`);
  }
}
