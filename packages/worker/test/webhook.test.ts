import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { documentAnalysis, jobErrorSchema, webhookDelivery } from '@jobkit/jobs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, signWebhook, verifyWebhook, type Worker } from '../src/index.ts';
import { defaultHandlersModule } from '../src/handlers/index.ts';
import { enqueue, waitFor } from './helpers.ts';

const secret = 'test-secret-0123456789';
let db: TestDatabase;
let worker: Worker;
let receiver: Server;
let hookUrl: string;
const received: { signature: string; body: string; delivery: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // Handler threads copy the environment when they start.
  process.env.JOBKIT_WEBHOOK_SECRET = secret;
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({
        signature: String(request.headers['jobkit-signature']),
        delivery: String(request.headers['jobkit-delivery']),
        body,
      });
      // The first delivery fails the way a busy server does; the retry succeeds.
      response.writeHead(received.length === 1 ? 503 : 204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const address = receiver.address();
  if (address === null || typeof address === 'string') throw new Error('the receiver has no TCP address');
  hookUrl = `http://127.0.0.1:${address.port}/hooks/jobs`;
  worker = createWorker({ database: db, handlersModule: defaultHandlersModule, concurrency: 2, log: () => undefined });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  receiver.close();
  await db.drop();
});

describe('completion webhooks', () => {
  it('POSTs a signed notice when the job finishes, retrying until the receiver accepts it', async () => {
    const ownerId = await createTestUser(db);
    const [jobId] = await enqueue(db, documentAnalysis, ownerId, [{ text: 'Done soon.' }], { webhookUrl: hookUrl });
    const delivery = await waitFor(async () => {
      const row = await db.prisma.job.findFirst({ where: { kind: webhookDelivery.kind }, include: { attempts: { orderBy: { attempt: 'asc' } } } });
      return row?.status === 'completed' ? row : undefined;
    }, 20_000);

    expect(received).toHaveLength(2);
    for (const request of received) {
      expect(verifyWebhook(secret, request.signature, request.body)).toBe(true);
      expect(verifyWebhook('another-secret-000000', request.signature, request.body)).toBe(false);
      expect(JSON.parse(request.body)).toEqual({ event: 'job.finished', jobId, kind: 'documentAnalysis', status: 'completed' });
      expect(request.delivery).toBe(delivery.id);
    }
    expect(delivery.result).toMatchObject({ httpStatus: 204 });
    expect(delivery.attempts.map((a) => [a.outcome, jobErrorSchema.nullable().parse(a.error)?.code ?? null])).toEqual([
      ['failed', 'WEBHOOK_REJECTED'],
      ['completed', null],
    ]);
  });

  it('rejects stale or tampered signatures', () => {
    const body = '{"a":1}';
    const old = signWebhook(secret, body, Date.now() - 10 * 60_000);
    expect(verifyWebhook(secret, old, body)).toBe(false);
    expect(verifyWebhook(secret, signWebhook(secret, body), '{"a":2}')).toBe(false);
    expect(verifyWebhook(secret, 'garbage', body)).toBe(false);
  });
});
