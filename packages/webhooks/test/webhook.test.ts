import { cancelJob } from '@jobkit/queue';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { quickJob } from './fixtures/handlers.ts';
import { jobErrorSchema, type JobInput } from '@jobkit/contract';
import { webhookDelivery } from '../src/delivery-contract.ts';
import { Webhook } from 'standardwebhooks';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
const handlersModule = new URL('./fixtures/handlers.ts', import.meta.url).href;
import { createWorker, type Worker } from '@jobkit/worker';
import { verifyWebhook } from '../src/index.ts';
import { generateWebhookSecret } from '../src/signature.ts';
import { enqueue, silentLogger, waitFor } from '@jobkit/worker/testing';
import { closedPort, insertEndpoint, startWebhookReceiver, type WebhookReceiver } from './receiver.ts';

const attemptDetail = z.object({ detail: z.string() });
let db: TestDatabase;
let worker: Worker;
let receiver: WebhookReceiver;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startWebhookReceiver();
  ownerId = await createTestUser(db);
  worker = createWorker({ database: db, handlersModule, concurrency: 2, logger: silentLogger });
  await worker.start();
});
afterEach(() => {
  delete process.env.JOBKIT_WEBHOOK_ALLOW;
});
afterAll(async () => {
  await worker.stop();
  await receiver.close();
  await db.drop();
});

async function finishedDelivery(deliveryId: string) {
  return waitFor(async () => {
    const row = await db.prisma.job.findUnique({ where: { id: deliveryId }, include: { attempts: { orderBy: { attempt: 'asc' } } } });
    return row && ['completed', 'failed'].includes(row.status) ? row : undefined;
  }, 20_000);
}

/** A delivery job as the trigger would enqueue it, for an endpoint of `owner`. */
async function deliverTo(endpointId: string, owner = ownerId): Promise<string> {
  const input: JobInput<typeof webhookDelivery> = { endpointId, jobId: randomUUID(), kind: 'quickJob', status: 'completed' };
  const [id] = await enqueue(db, webhookDelivery, owner, [input]);
  if (!id) throw new Error('no delivery enqueued');
  return id;
}

describe('completion webhooks', () => {
  it('POSTs a Standard Webhooks notice when the job finishes, the same webhook-id on every retry', async () => {
    process.env.JOBKIT_WEBHOOK_ALLOW = '127.0.0.1';
    const secret = generateWebhookSecret();
    const endpointId = await insertEndpoint(db, ownerId, `http://127.0.0.1:${receiver.port}/hooks/jobs`, secret);
    receiver.answerWith([503, 204]);
    const before = receiver.received.length;
    const [jobId] = await enqueue(db, quickJob, ownerId, [{ text: 'Done soon.' }], { webhookEndpointId: endpointId });
    const deliveryRow = await waitFor(() => db.prisma.job.findFirst({ where: { kind: webhookDelivery.kind, input: { path: ['jobId'], equals: jobId } } }).then((row) => row ?? undefined));
    const delivery = await finishedDelivery(deliveryRow.id);

    const requests = receiver.received.slice(before);
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      // The receiving side, with the specification's own library: it throws unless signed and fresh.
      const headers = {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      };
      expect(new Webhook(secret).verify(request.body, headers)).toMatchObject({
        type: 'job.finished',
        data: { jobId, kind: 'quickJob', status: 'completed' },
      });
      expect(() => new Webhook(generateWebhookSecret()).verify(request.body, headers)).toThrow();
      expect(verifyWebhook(secret, request.headers, request.body)).toEqual({ ok: true });
      expect(request.headers['webhook-id']).toBe(delivery.id);
    }
    expect(delivery.status).toBe('completed');
    expect(delivery.result).toMatchObject({ outcome: 'delivered', httpStatus: 204 });
    expect(delivery.attempts.map((a) => [a.outcome, jobErrorSchema.nullable().parse(a.error)?.message ?? null])).toEqual([
      ['failed', 'Delivered, and the receiver answered HTTP 503.'],
      ['completed', null],
    ]);
  });

  it('says only "could not be reached" for an allowed address where nothing listens', async () => {
    process.env.JOBKIT_WEBHOOK_ALLOW = '127.0.0.0/8';
    const endpointId = await insertEndpoint(db, ownerId, `http://127.0.0.1:${await closedPort()}/`);
    const deliveryId = await deliverTo(endpointId);
    const attempt = await waitFor(async () => (await db.prisma.jobAttempt.findFirst({ where: { jobId: deliveryId, outcome: 'failed' } })) ?? undefined);
    expect(jobErrorSchema.parse(attempt.error)).toMatchObject({ code: 'WEBHOOK_UNREACHABLE', message: 'The webhook endpoint could not be reached.' });
    await cancelJob(db.pool, deliveryId, 60_000);
  });
});

describe('webhooks cannot be turned inward', () => {
  const refusedHosts = (port: number) => [
    `http://127.0.0.1:${port}/`,
    `http://[::1]:${port}/`,
    `http://localhost:${port}/`,
    `http://2130706433:${port}/`,
    `http://0x7f.1:${port}/`,
    `http://169.254.169.254:${port}/latest/meta-data/`,
    `http://10.0.0.1:${port}/`,
    `http://[fd00::1]:${port}/`,
    `http://100.64.0.1:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `https://127.0.0.1:${port}/`,
  ];

  it('refuses at delivery an endpoint that was written around the create-time check, and sends nothing', async () => {
    const connectionsBefore = receiver.connections();
    const deliveries = [];
    for (const url of refusedHosts(receiver.port)) deliveries.push(await deliverTo(await insertEndpoint(db, ownerId, url)));
    for (const id of deliveries) {
      const delivery = await finishedDelivery(id);
      expect(delivery.status).toBe('failed');
      // One sentence for every refused target: nothing about what is (or is not) there.
      expect(jobErrorSchema.parse(delivery.error)).toEqual({
        code: 'WEBHOOK_REFUSED',
        message: 'Refused: the endpoint’s address is one webhooks may not reach (loopback, private, link-local or reserved).',
      });
      expect(delivery.attempts).toHaveLength(1);
      // Why, for admins only: in the attempt's history.
      expect(attemptDetail.parse(delivery.attempts[0]?.error).detail).toMatch(/names this machine|is a loopback|link-local|private|unique-local|carrier-grade/);
    }
    expect(receiver.connections()).toBe(connectionsBefore);
  });

  it('never signs for another user’s endpoint, even when a delivery names it', async () => {
    process.env.JOBKIT_WEBHOOK_ALLOW = '127.0.0.1';
    const connectionsBefore = receiver.connections();
    const endpointId = await insertEndpoint(db, ownerId, `http://127.0.0.1:${receiver.port}/`);
    const delivery = await finishedDelivery(await deliverTo(endpointId, await createTestUser(db)));
    expect(jobErrorSchema.parse(delivery.error).code).toBe('WEBHOOK_ENDPOINT_DELETED');
    expect(receiver.connections()).toBe(connectionsBefore);
  });
});
