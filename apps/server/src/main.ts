/**
 * `pnpm start`: the whole app in one process. Starts its embedded PostgreSQL and migrates it (the
 * one-process default), or connects to DATABASE_URL, which `pnpm db:migrate` migrates: there it
 * waits for a schema it knows (see bootDatabase's `migrations`). Serves the API and the web app, and
 * runs a worker unless RUN_WORKER=false.
 */
import { ensureDemoUsers } from '@jobkit/api';
import { bootDatabase, connectionOptionsFrom, defaultDataDir, exitOnSetupError } from '@jobkit/db';
import { join } from 'node:path';
import { createWorker, onShutdownSignal, workerOptionsFrom } from '@jobkit/worker';
import { llmSettingsFrom } from '@jobkit/analyses/handlers';
import { defaultHandlersModule } from '@jobkit/jobs/handlers';
import { registerWebhookDeliveryKind } from '@jobkit/webhooks';
import { emailSettingsFrom, registerEmailNotificationKind } from '@jobkit/email';
import { createProcessMetrics, serveMetrics } from '@jobkit/metrics';
import { readConfig } from './config.ts';
import { createHttpServer } from './http-server.ts';

const config = readConfig();
const booted = await bootDatabase({
  databaseUrl: config.DATABASE_URL,
  dataDir: config.JOBKIT_DATA_DIR,
  embedded: 'start',
  maxConnections: config.DATABASE_POOL_SIZE ?? 20,
  connection: connectionOptionsFrom(config),
}).catch(exitOnSetupError);
// Demo accounts only for the one-command local run; a real database gets its users from
// `pnpm user:create`.
const demoUsers =
  config.DATABASE_URL === undefined
    ? await ensureDemoUsers(booted.database, join(config.JOBKIT_DATA_DIR ?? defaultDataDir, 'demo-users.json'))
    : [];
const metrics = createProcessMetrics(booted.database.pool, { queueDepthRefreshMs: config.METRICS_QUEUE_DEPTH_REFRESH_MS });
const app = await createHttpServer({
  db: booted.database,
  secureCookies: config.SECURE_COOKIES,
  settings: {
    webhookAllow: config.JOBKIT_WEBHOOK_ALLOW,
    maxActiveJobsPerUser: config.MAX_ACTIVE_JOBS_PER_USER,
    maxStartsPerMinute: config.MAX_STARTS_PER_MINUTE,
    maxStreamsPerUser: config.MAX_STREAMS_PER_USER,
    llmEnabled: llmSettingsFrom(process.env) !== null,
    emailEnabled: emailSettingsFrom(config) !== null,
    maxUploadBytes: config.MAX_UPLOAD_MB * 1024 * 1024,
    maxStorageBytesPerUser: config.MAX_STORAGE_MB_PER_USER * 1024 * 1024,
    maxConcurrentUploadsPerUser: config.MAX_UPLOADS_PER_USER,
    uploadIdleTimeoutMs: config.UPLOAD_IDLE_TIMEOUT_MS,
    uploadMinBytesPerSecond: config.UPLOAD_MIN_KB_PER_S * 1024,
    uploadConnections: config.UPLOAD_DB_CONNECTIONS,
  },
  webDist: config.WEB_DIST,
  logLevel: config.LOG_LEVEL,
  trustProxy: config.TRUST_PROXY,
  metrics: { registry: metrics.registry, token: config.METRICS_TOKEN, servedHere: config.METRICS_PORT === undefined },
});
// Only a process that runs the webhookDelivery and emailNotification handlers says what the database
// enqueues for them (an API alone reads no deliveries); a newer release's registration is kept.
if (config.RUN_WORKER) {
  await registerWebhookDeliveryKind(booted.database.pool);
  await registerEmailNotificationKind(booted.database.pool);
}
const worker = config.RUN_WORKER
  ? createWorker({
      database: booted.database,
      handlersModule: defaultHandlersModule,
      ...workerOptionsFrom(config),
      // Fastify's logger is pino: the worker's lines come out at their own levels, as JSON.
      logger: app.log,
      observer: metrics.workers.observer,
    })
  : undefined;
if (worker) metrics.workers.watch(worker);
await worker?.start();
const metricsServer =
  config.METRICS_PORT === undefined
    ? undefined
    : await serveMetrics({ registry: metrics.registry, host: config.METRICS_HOST, port: config.METRICS_PORT, token: config.METRICS_TOKEN });
// Registered before the banner: a supervisor may send SIGTERM as soon as it sees the URL.
onShutdownSignal(async () => {
  await app.close();
  await metricsServer?.close();
  await worker?.stop();
  await booted.shutdown();
});
const address = await app.listen({ port: config.PORT, host: config.HOST });

console.log(`\nJobkit is running at ${address}`);
console.log(`  database: ${booted.description}`);
console.log(`  worker:   ${worker ? `in this process (${config.WORKER_CONCURRENCY} at a time)` : 'none here (RUN_WORKER=false)'}`);
console.log(`  metrics:  ${metricsServer?.url ?? address}/metrics${config.METRICS_TOKEN === undefined ? '' : ' (with METRICS_TOKEN)'}`);
for (const user of demoUsers) console.log(`  sign in:  ${user.email} / ${user.password} (${user.role})`);
if ((await booted.database.prisma.user.count()) === 0) {
  console.log('  no users yet: create the first admin with  pnpm user:create --admin --email you@example.com');
}
console.log('');
