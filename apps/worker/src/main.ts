/**
 * `pnpm worker`: one more worker process. Start as many as you like, on any machine that reaches
 * the database: they share the queue through FOR UPDATE SKIP LOCKED. Without DATABASE_URL it
 * joins the embedded database of the app started with `pnpm start` on this machine. It never
 * migrates: on a schema older than it knows it waits for `pnpm db:migrate`, on a newer one it stops.
 */
import { bootDatabase, connectionOptionsFrom, databaseEnvironmentShape } from '@jobkit/db';
import { createWorker, onShutdownSignal, workerEnvironmentShape, workerOptionsFrom } from '@jobkit/worker';
import { defaultHandlersModule } from '@jobkit/jobs/handlers';
import { registerWebhookDeliveryKind, webhookEnvironmentShape } from '@jobkit/webhooks';
import { emailEnvironmentShape, registerEmailNotificationKind, requireCompleteEmailSettings } from '@jobkit/email';
import { z } from 'zod';

const parsed = z
  .object({
    DATABASE_URL: z.url().optional(),
    ...databaseEnvironmentShape,
    JOBKIT_DATA_DIR: z.string().optional(),
    ...workerEnvironmentShape,
    ...webhookEnvironmentShape,
    ...emailEnvironmentShape,
  })
  .superRefine(requireCompleteEmailSettings)
  .safeParse(process.env);
// Each sentence names its setting and none repeats a value (SMTP_URL may hold a password).
if (!parsed.success) throw new Error(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
const environment = parsed.data;

const booted = await bootDatabase({
  databaseUrl: environment.DATABASE_URL,
  dataDir: environment.JOBKIT_DATA_DIR,
  embedded: 'attach',
  maxConnections: 5,
  connection: connectionOptionsFrom(environment),
});
// This worker runs the webhookDelivery and emailNotification handlers, so it tells the database what
// to enqueue when a job with an endpoint or notifyByEmail finishes: deliveries it reads. A newer
// release's registration is kept.
const delivery = await registerWebhookDeliveryKind(booted.database.pool);
if (!delivery.written) console.log(`Webhook deliveries stay at version ${delivery.stored.payloadVersion}, registered by a newer release.`);
const email = await registerEmailNotificationKind(booted.database.pool);
if (!email.written) console.log(`Finish e-mails stay at version ${email.stored.payloadVersion}, registered by a newer release.`);
const worker = createWorker({
  database: booted.database,
  handlersModule: defaultHandlersModule,
  ...workerOptionsFrom(environment),
});
await worker.start();
console.log(`Worker ${worker.id} is running ${environment.WORKER_CONCURRENCY} at a time on ${booted.description}.`);

onShutdownSignal(async () => {
  console.log(`Worker ${worker.id}: finishing running jobs...`);
  await worker.stop();
  await booted.shutdown();
});
