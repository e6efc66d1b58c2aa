/**
 * A separate PostgreSQL server from Debian's packages (not the embedded one), and PgBouncer in front
 * of it: what production deployments run. Installed with apt-get when missing and this machine can
 * (root); each server runs as the `postgres` user in a temporary folder of its own, on loopback.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const binaries = '/usr/lib/postgresql/15/bin';
const pgbouncerBinary = '/usr/sbin/pgbouncer';

/** Installs Debian's `postgresql` and `pgbouncer` packages when they are missing. */
export function ensureDebianPackages(): void {
  if (existsSync(join(binaries, 'initdb')) && existsSync(pgbouncerBinary)) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error('These tests need Debian\'s "postgresql" (15) and "pgbouncer" packages: install them, or run as root to have them installed.');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql-15', 'pgbouncer'], { stdio: 'inherit', env });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs as the `postgres` user when we are root (PostgreSQL and PgBouncer refuse to run as root). */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function folderFor(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  }
  await chmod(dir, 0o700);
  return dir;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface DebianPostgres {
  port: number;
  /** The superuser `postgres` (trust on loopback: a test server only). */
  urlFor(database: string): string;
  /** `pg_ctl restart` in the given shutdown mode; resolves when it answers again. */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  stop(): Promise<void>;
}

export async function startDebianPostgres(): Promise<DebianPostgres> {
  ensureDebianPackages();
  const dataDir = await folderFor('jobkit-pg15-');
  const port = await freePort();
  const run = (command: string, args: string[]): void => {
    const [file, fileArgs] = asPostgres(join(binaries, command), args);
    execFileSync(file, fileArgs, { stdio: 'pipe' });
  };
  run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off`;
  run('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dataDir, 'log'), '-w', 'start']);
  const urlFor = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    urlFor,
    async restart(mode) {
      run('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dataDir, 'log'), '-m', mode, '-w', 'restart']);
      await until(() => answers(urlFor('postgres')), 'PostgreSQL');
    },
    async stop() {
      run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface PgBouncer {
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** PgBouncer 1.18 in front of `server`, in transaction or session pooling mode. */
export async function startPgBouncer(server: DebianPostgres, mode: 'transaction' | 'session'): Promise<PgBouncer> {
  ensureDebianPackages();
  const dir = await folderFor('jobkit-pgbouncer-');
  const port = await freePort();
  const config = join(dir, 'pgbouncer.ini');
  await writeFile(join(dir, 'users.txt'), '"postgres" ""\n');
  await writeFile(
    config,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      `pool_mode = ${mode}`,
      'max_client_conn = 1000',
      'default_pool_size = 40',
      'server_reset_query = DISCARD ALL',
      // The driver sends these at connect; PgBouncer refuses startup parameters it does not know.
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const [file, args] = asPostgres(pgbouncerBinary, [config]);
  const child: ChildProcess = spawn(file, args, { stdio: 'ignore' });
  const urlFor = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  await until(() => answers(urlFor('postgres')), 'PgBouncer');
  return {
    urlFor,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
