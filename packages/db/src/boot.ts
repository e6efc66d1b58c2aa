import { join } from 'node:path';
import { openDatabase, type ConnectionOptions, type Database } from './database.ts';
import { embeddedUrl, ensureDatabase, findRunningPostmaster, startEmbeddedPostgres } from './embedded/start.ts';
import { readEmbeddedPassword } from './embedded/password.ts';
import { EmbeddedSetupError } from './embedded/setup-error.ts';
import { applyMigrations } from './migrations/runner.ts';
import { awaitSchema } from './migrations/schema-state.ts';
import { defaultDataDir } from './paths.ts';

export interface BootOptions {
  /** Any PostgreSQL. Without it, the embedded one in `dataDir` is used. */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /**
   * `start`: run the embedded server (the app's own process does this);
   * `attach`: use the embedded server another process started (extra worker processes);
   * `attach-or-start`: either, whichever applies (one-off commands such as `db:migrate`).
   */
  embedded: 'start' | 'attach' | 'attach-or-start';
  maxConnections?: number;
  /** Named statements and the LISTEN URL (DATABASE_PREPARED_STATEMENTS, DATABASE_LISTEN_URL). */
  connection?: ConnectionOptions;
  /**
   * `apply`: apply pending migrations (`pnpm db:migrate`, and by default a process that starts the
   * embedded server itself: the one-process `pnpm start`). `await` (the default otherwise: workers,
   * servers on DATABASE_URL): never migrate under a running fleet; wait until the schema is what this
   * code knows, saying what to run, and refuse one migrated by a newer version.
   */
  migrations?: 'apply' | 'await';
  /** Where `await` says what it waits for. Default: standard error. */
  log?: (message: string) => void;
  /** How often `await` looks again. Default 2 s. */
  schemaPollMs?: number;
}

export interface BootedDatabase {
  database: Database;
  /** Where the data lives, for the start-up banner. */
  description: string;
  /** Closes the pool and, if this process started it, stops the embedded server. */
  shutdown(): Promise<void>;
}

const embeddedDatabaseName = 'jobkit';

/** Connects (starting the embedded server when asked), migrates or waits for the schema (see `migrations`), opens the pool. */
export async function bootDatabase(options: BootOptions): Promise<BootedDatabase> {
  const dataDir = join(options.dataDir ?? defaultDataDir, 'postgres');
  let url = options.databaseUrl;
  let stopEmbedded = (): Promise<void> => Promise.resolve();
  let description = url ? `PostgreSQL at ${redactPassword(url)}` : `embedded PostgreSQL in ${dataDir}`;

  const running = url ? null : await findRunningPostmaster(dataDir);
  const startsEmbedded = !url && (options.embedded === 'start' || (options.embedded === 'attach-or-start' && !running));
  if (startsEmbedded) {
    const server = await startEmbeddedPostgres({ dataDir });
    await ensureDatabase(server.urlFor('postgres'), embeddedDatabaseName);
    url = server.urlFor(embeddedDatabaseName);
    stopEmbedded = () => server.stop();
    description = `embedded PostgreSQL in ${server.clusterDir} (port ${server.port})`;
  } else if (!url) {
    if (!running) {
      throw new EmbeddedSetupError(
        `No embedded database is running in ${dataDir}. Start the app first (pnpm start), ` +
          'or set DATABASE_URL to the PostgreSQL the app uses.',
      );
    }
    url = embeddedUrl(running.port, await readEmbeddedPassword(dataDir), embeddedDatabaseName);
    description += ` (port ${running.port}, started by another process)`;
  }

  try {
    if ((options.migrations ?? (startsEmbedded ? 'apply' : 'await')) === 'apply') {
      await applyMigrations(url);
    } else {
      const log =
        options.log ??
        ((message: string) => {
          console.error(message);
        });
      await awaitSchema(url, description, { log, pollMs: options.schemaPollMs });
    }
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
  const database = openDatabase(url, {
    maxConnections: options.maxConnections,
    ...options.connection,
    // The embedded server is reached directly, where named statements always work (and save CPU).
    preparedStatements: options.connection?.preparedStatements ?? options.databaseUrl === undefined,
  });
  return {
    database,
    description,
    async shutdown() {
      await database.close();
      await stopEmbedded();
    },
  };
}

export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
