/**
 * `pnpm worker`: one more worker process. Start as many as you like, on any machine that reaches
 * the database: they share the queue through FOR UPDATE SKIP LOCKED. Without DATABASE_URL it
 * joins the embedded database of the app started with `pnpm start` on this machine. It never
 * migrates: on a schema older than it knows it waits for `pnpm db:migrate`, on a newer one it stops.
 * It logs JSON lines (pino) at LOG_LEVEL; with WORKER_METRICS_PORT (or `--metrics-port`) it serves
 * its Prometheus metrics at /metrics there.
 */
import { bootDatabase, connectionOptionsFrom, databaseEnvironmentShape, exitOnSetupError } from '@jobkit/db';
import { createProcessMetrics, metricsEnvironmentShape, serveMetrics } from '@jobkit/metrics';
import { createWorker, onShutdownSignal, workerEnvironmentShape, workerOptionsFrom } from '@jobkit/worker';
import { defaultHandlersModule } from '@jobkit/jobs/handlers';
import { registerWebhookDeliveryKind, webhookEnvironmentShape } from '@jobkit/webhooks';
import { emailEnvironmentShape, registerEmailNotificationKind, requireCompleteEmailSettings } from '@jobkit/email';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';

const flags = parseArgs({ options: { 'metrics-port': { type: 'string' } } }).values;
const metricsPortFlag = flags['metrics-port'];
const parsed = z
  .object({
    DATABASE_URL: z.url().optional(),
    ...databaseEnvironmentShape,
    JOBKIT_DATA_DIR: z.string().optional(),
    ...workerEnvironmentShape,
    ...webhookEnvironmentShape,
    ...emailEnvironmentShape,
    ...metricsEnvironmentShape,
    /** Serve /metrics on this port (METRICS_HOST); `--metrics-port` says the same. Unset: no metrics port. */
    WORKER_METRICS_PORT: z.coerce
      .number({ message: 'WORKER_METRICS_PORT (or --metrics-port) must be a port number, 0 to 65535' })
      .int()
      .min(0)
      .max(65535)
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug']).default('info'),
  })
  .superRefine(requireCompleteEmailSettings)
  .safeParse(metricsPortFlag === undefined ? process.env : { ...process.env, WORKER_METRICS_PORT: metricsPortFlag });
// Each sentence names its setting and none repeats a value (SMTP_URL may hold a password).
if (!parsed.success) throw new Error(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
const environment = parsed.data;
const logger = pino({ level: environment.LOG_LEVEL });

const booted = await bootDatabase({
  databaseUrl: environment.DATABASE_URL,
  dataDir: environment.JOBKIT_DATA_DIR,
  embedded: 'attach',
  maxConnections: environment.DATABASE_POOL_SIZE ?? 5,
  connection: connectionOptionsFrom(environment),
  // Waiting for a migration is a worker doing nothing: operators must see it at any LOG_LEVEL but error.
  log: (message) => {
    logger.warn(message);
  },
}).catch(exitOnSetupError);
// This worker runs the webhookDelivery and emailNotification handlers, so it tells the database what
// to enqueue when a job with an endpoint or notifyByEmail finishes: deliveries it reads. A newer
// release's registration is kept.
const delivery = await registerWebhookDeliveryKind(booted.database.pool);
if (!delivery.written) logger.info(`Webhook deliveries stay at version ${delivery.stored.payloadVersion}, registered by a newer release.`);
const email = await registerEmailNotificationKind(booted.database.pool);
if (!email.written) logger.info(`Finish e-mails stay at version ${email.stored.payloadVersion}, registered by a newer release.`);
const metrics = createProcessMetrics(booted.database.pool, { queueDepthRefreshMs: environment.METRICS_QUEUE_DEPTH_REFRESH_MS });
const worker = createWorker({
  database: booted.database,
  handlersModule: defaultHandlersModule,
  ...workerOptionsFrom(environment),
  logger,
  observer: metrics.workers.observer,
});
metrics.workers.watch(worker);
await worker.start();
const metricsServer =
  environment.WORKER_METRICS_PORT === undefined
    ? undefined
    : await serveMetrics({
        registry: metrics.registry,
        host: environment.METRICS_HOST,
        port: environment.WORKER_METRICS_PORT,
        token: environment.METRICS_TOKEN,
        readiness: () => worker.readiness(),
      });
// The one line for people (and scripts) to wait for, as the server's "Jobkit is running at".
console.log(
  `Worker ${worker.id} is running ${environment.WORKER_CONCURRENCY} at a time on ${booted.description}.` +
    (metricsServer ? ` Its metrics are at ${metricsServer.url}/metrics, its probes at /healthz and /readyz.` : ''),
);

onShutdownSignal(async () => {
  logger.info(`Worker ${worker.id}: finishing running jobs...`);
  // The probes answer through the grace period: /readyz says "stopping" while jobs finish.
  await worker.stop();
  await metricsServer?.close();
  await booted.shutdown();
});
