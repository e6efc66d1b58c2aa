import { databaseUrlFor, startEmbeddedPostgres } from '@jobkit/db';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The one PostgreSQL every system runs on. Each system's schema is installed once into a template
 * database; every measurement then gets a fresh copy (CREATE DATABASE … TEMPLATE), so no system
 * sees another's tables, and no run inherits the dead rows or autovacuum debt of the previous one.
 */
export interface BenchPostgres {
  description: string;
  version: string;
  /** Creates a database and lets `install` set it up; later copies of it are cheap. */
  createTemplate(family: string, install: (url: string) => Promise<void>): Promise<void>;
  /** A fresh copy of a template (or an empty database without one); dropped by `dispose`. */
  freshDatabase(family?: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const prefix = `bench_${process.pid}_${randomBytes(2).toString('hex')}`;
  let adminUrl = process.env.DATABASE_URL;
  let description = 'PostgreSQL at DATABASE_URL';
  let stopServer = (): Promise<void> => Promise.resolve();
  if (!adminUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), 'jobkit-compare-'));
    const server = await startEmbeddedPostgres({ dataDir, maxConnections: 1000 });
    adminUrl = server.urlFor('postgres');
    description = 'embedded PostgreSQL (stock settings, fsync on, loopback TCP, max_connections 1000)';
    stopServer = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const serverUrl = adminUrl;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
  const created: string[] = [];
  let copies = 0;

  async function create(name: string, template?: string): Promise<string> {
    const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '';
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${from}`);
    created.push(name);
    return databaseUrlFor(serverUrl, name);
  }

  async function drop(name: string): Promise<void> {
    // Closed pools may still have backends on their way out: terminating those (FORCE) would
    // reach the closing client as an error. Wait for them a little; FORCE is for stragglers.
    for (let wait = 0; wait < 100; wait++) {
      const { rows: sessions } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1 LIMIT 1', [name]);
      if (sessions.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    created.splice(created.indexOf(name), 1);
  }

  return {
    description,
    version: rows[0]?.server_version ?? 'unknown',
    async createTemplate(family, install) {
      const url = await create(`${prefix}_${family}_template`);
      await install(url);
    },
    freshDatabase(family) {
      copies += 1;
      const name = `${prefix}_${family ?? 'plain'}_${copies}`;
      return create(name, family ? `${prefix}_${family}_template` : undefined);
    },
    dropDatabase(url) {
      return drop(new URL(url).pathname.slice(1));
    },
    async dispose() {
      for (const name of [...created].reverse()) await drop(name);
      await admin.end();
      await stopServer();
    },
  };
}
