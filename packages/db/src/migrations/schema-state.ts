import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { defaultMigrationsDir } from '../paths.ts';
import { MigrationError, readMigrations } from './runner.ts';

/**
 * How a database's schema compares with the migrations this code ships, read from Prisma's own
 * bookkeeping table. Processes that do not migrate (workers, servers on an external database)
 * check it at boot instead of migrating under a running fleet.
 */
export type SchemaState =
  | { state: 'current' }
  /** Migrations this code needs are not applied yet (`failed`: one was tried and left half-applied). */
  | { state: 'behind'; missing: readonly string[]; failed: readonly string[] }
  /** Migrations were applied that this code does not know: a newer version migrated the database. */
  | { state: 'ahead'; unknown: readonly string[] }
  /** A migration was applied from another text than this code's file of that name. */
  | { state: 'changed'; name: string };

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

export async function readSchemaState(url: string, dir = defaultMigrationsDir): Promise<SchemaState> {
  const known = await readMigrations(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let applied: AppliedRow[] = [];
  try {
    const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`);
    if (rows[0]?.exists) {
      applied = (
        await client.query<AppliedRow>('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL')
      ).rows;
    }
  } finally {
    await client.end();
  }
  const knownByName = new Map(known.map((migration) => [migration.name, migration]));
  const unknown = applied.filter((row) => !knownByName.has(row.migration_name)).map((row) => row.migration_name);
  if (unknown.length > 0) return { state: 'ahead', unknown: unknown.sort() };
  const changed = applied.find((row) => row.finished_at !== null && knownByName.get(row.migration_name)?.checksum !== row.checksum);
  if (changed) return { state: 'changed', name: changed.migration_name };
  const finished = new Set(applied.filter((row) => row.finished_at !== null).map((row) => row.migration_name));
  const missing = known.filter((migration) => !finished.has(migration.name)).map((migration) => migration.name);
  if (missing.length === 0) return { state: 'current' };
  const failed = applied.filter((row) => row.finished_at === null).map((row) => row.migration_name);
  return { state: 'behind', missing, failed };
}

const retellEveryMs = 60_000;

export interface AwaitSchemaOptions {
  /** Where to say what to run, and that the process waits. */
  log: (message: string) => void;
  /** How often to look again while the schema is behind. */
  pollMs?: number;
  dir?: string;
}

/**
 * Resolves once the database has exactly the migrations this code knows. While some are missing
 * it waits, saying what to run (a rolling deploy: the new version starts before `pnpm db:migrate`
 * has run, and starts working once it has); a database migrated by a newer version, or with a
 * migration that differs from this code's, is refused: this version cannot know what it would break.
 */
export async function awaitSchema(url: string, description: string, options: AwaitSchemaOptions): Promise<void> {
  const pollMs = options.pollMs ?? 2_000;
  let toldAt: number | undefined;
  for (;;) {
    const schema = await readSchemaState(url, options.dir);
    switch (schema.state) {
      case 'current':
        if (toldAt !== undefined) options.log('The database is migrated; starting.');
        return;
      case 'ahead':
        throw new MigrationError(
          `${description} has migrations this version of Jobkit does not know (${schema.unknown.join(', ')}): ` +
            'it was migrated by a newer version. Run the newer version here too, or restore the database it can read.',
        );
      case 'changed':
        throw new MigrationError(
          `Migration ${schema.name} on ${description} was applied from another text than this version's file: ` +
            'deploy the version that migrated it, or restore the file.',
        );
      case 'behind': {
        const failed = schema.failed.length > 0 ? ` ${schema.failed.join(', ')} failed and was left half-applied: fix it first.` : '';
        const message =
          `${description} lacks ${schema.missing.length} migration(s) this version needs (${schema.missing.join(', ')}).${failed} ` +
          `Run \`pnpm db:migrate\` with this version; waiting for it (looking every ${pollMs} ms).`;
        // Said again now and then (a log read later still shows why the process is idle), not on
        // every look: a migration under way changes the list at each step.
        if (toldAt === undefined || performance.now() - toldAt >= retellEveryMs) {
          options.log(message);
          toldAt = performance.now();
        }
        await sleep(pollMs);
      }
    }
  }
}
