import { databaseUrlFor, ensureDatabase, startEmbeddedPostgres } from '@jobkit/db';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface BenchDatabase {
  url: string;
  description: string;
  dispose(): Promise<void>;
}

/** A fresh database: on DATABASE_URL's server if given, else on a throw-away embedded server. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const name = `jobkit_bench_${process.pid}`;
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    await ensureDatabase(serverUrl, name);
    return {
      url: databaseUrlFor(serverUrl, name),
      description: 'PostgreSQL at DATABASE_URL',
      async dispose() {
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'jobkit-bench-'));
  const server = await startEmbeddedPostgres({ dataDir });
  await ensureDatabase(server.urlFor('postgres'), name);
  return {
    url: server.urlFor(name),
    description: 'embedded PostgreSQL 18 (stock settings, loopback TCP)',
    async dispose() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
