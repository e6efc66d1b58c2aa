/**
 * `pnpm start`: the whole app in one process. Starts (or connects to) PostgreSQL, applies
 * migrations, serves the API and the web app, and runs a worker unless RUN_WORKER=false.
 */
import { ensureLocalUser } from '@jobkit/api';
import { bootDatabase } from '@jobkit/db';
import { createWorker, onShutdownSignal, workerOptionsFrom } from '@jobkit/worker';
import { defaultHandlersModule } from '@jobkit/worker/handlers';
import { readConfig } from './config.ts';
import { createHttpServer } from './http-server.ts';

const config = readConfig();
const booted = await bootDatabase({
  databaseUrl: config.DATABASE_URL,
  dataDir: config.JOBKIT_DATA_DIR,
  embedded: 'start',
  maxConnections: 20,
});
const localActor = await ensureLocalUser(booted.database);
const app = await createHttpServer({
  db: booted.database,
  resolveActor: () => Promise.resolve(localActor),
  settings: { webhooksEnabled: config.JOBKIT_WEBHOOK_SECRET !== undefined },
  webDist: config.WEB_DIST,
  logLevel: config.LOG_LEVEL,
});
const worker = config.RUN_WORKER
  ? createWorker({
      database: booted.database,
      handlersModule: defaultHandlersModule,
      ...workerOptionsFrom(config),
      log: (message) => {
        app.log.warn(message);
      },
    })
  : undefined;
await worker?.start();
const address = await app.listen({ port: config.PORT, host: config.HOST });

console.log(`\nJobkit is running at ${address}`);
console.log(`  database: ${booted.description}`);
console.log(`  worker:   ${worker ? `in this process (${config.WORKER_CONCURRENCY} at a time)` : 'none here (RUN_WORKER=false)'}\n`);

onShutdownSignal(async () => {
  await app.close();
  await worker?.stop();
  await booted.shutdown();
});
