import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { quickJob } from './fixtures/handlers.ts';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookDeliveryHandler } from '../src/delivery-handler.ts';
import { jobWebhooks, runHandler } from '@jobkit/worker/testing';
import { generateWebhookSecret } from '../src/signature.ts';
import { checkWebhookTarget, emptyAllowList, type ResolveHost } from '../src/target.ts';
import { enqueue } from '@jobkit/worker/testing';
import { insertEndpoint, startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './receiver.ts';

// No worker here: the delivery handler runs on its own (runHandler) with a DNS of the test's
// making, against real endpoint rows. The job it delivers for is any job of the endpoint's owner.
let db: TestDatabase;
let receiver: WebhookReceiver;
let ownerId: string;
let ownersJobId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startWebhookReceiver();
  ownerId = await createTestUser(db);
  [ownersJobId = ''] = await enqueue(db, quickJob, ownerId, [{ text: 'x' }]);
});
afterEach(() => {
  delete process.env.JOBKIT_WEBHOOK_ALLOW;
});
afterAll(async () => {
  await receiver.close();
  await db.drop();
});

/** A DNS that gives each answer in turn (the last one from then on), counting the questions. */
function scriptedDns(...answers: string[][]): ResolveHost & { questions: string[] } {
  const questions: string[] = [];
  return Object.assign(async (hostname: string) => {
    questions.push(hostname);
    return Promise.resolve(answers[Math.min(questions.length, answers.length) - 1] ?? []);
  }, { questions });
}

async function deliver(endpointId: string, resolve: ResolveHost) {
  const handler = createWebhookDeliveryHandler({ resolve });
  const input = { endpointId, jobId: ownersJobId, kind: 'quickJob', status: 'completed' as const };
  return runHandler(handler, input, { jobId: 'msg-1', webhooks: jobWebhooks(db.pool, ownersJobId) });
}

function signedWith(secret: string, request: ReceivedWebhook | undefined): boolean {
  if (!request) return false;
  const header = (name: string) => String(request.headers[name]);
  try {
    new Webhook(secret).verify(request.body, {
      'webhook-id': header('webhook-id'),
      'webhook-timestamp': header('webhook-timestamp'),
      'webhook-signature': header('webhook-signature'),
    });
    return true;
  } catch {
    return false;
  }
}

describe('the connection goes to the address that was checked', () => {
  it('refuses a host whose DNS answer changed to loopback after the endpoint was created (rebinding)', async () => {
    const dns = scriptedDns(['93.184.215.14'], ['127.0.0.1']);
    const url = `http://hooks.rebind.test:${receiver.port}/`;
    expect((await checkWebhookTarget(url, { allow: emptyAllowList, resolve: dns })).ok).toBe(true);
    const endpointId = await insertEndpoint(db, ownerId, url);
    const connectionsBefore = receiver.connections();
    await expect(deliver(endpointId, dns)).rejects.toMatchObject({ code: 'WEBHOOK_REFUSED', retryable: false });
    expect(receiver.connections()).toBe(connectionsBefore);
  });

  it('refuses a host any of whose addresses is internal, and a name that resolves to loopback', async () => {
    const connectionsBefore = receiver.connections();
    for (const answer of [['93.184.215.14', '127.0.0.1'], ['::1'], ['10.1.2.3'], ['::ffff:169.254.169.254']]) {
      const endpointId = await insertEndpoint(db, ownerId, `http://hooks.example.test:${receiver.port}/`);
      await expect(deliver(endpointId, scriptedDns(answer))).rejects.toMatchObject({ code: 'WEBHOOK_REFUSED' });
    }
    expect(receiver.connections()).toBe(connectionsBefore);
  });

  it('asks the DNS once and connects to that answer, keeping the name for the Host header', async () => {
    process.env.JOBKIT_WEBHOOK_ALLOW = '127.0.0.1/32';
    // A name no real resolver knows: only the pinned answer can make this connection.
    const dns = scriptedDns(['127.0.0.1'], ['10.9.9.9']);
    const endpointId = await insertEndpoint(db, ownerId, `http://hooks.pinned.test:${receiver.port}/in`);
    await expect(deliver(endpointId, dns)).resolves.toMatchObject({ outcome: 'delivered', httpStatus: 204 });
    expect(dns.questions).toEqual(['hooks.pinned.test']);
    expect(receiver.received.at(-1)?.headers.host).toBe(`hooks.pinned.test:${receiver.port}`);
  });

  it('does not follow a redirect', async () => {
    process.env.JOBKIT_WEBHOOK_ALLOW = '127.0.0.1';
    receiver.answerWith([302]);
    const endpointId = await insertEndpoint(db, ownerId, `http://127.0.0.1:${receiver.port}/moved`);
    const before = receiver.received.length;
    await expect(deliver(endpointId, scriptedDns())).rejects.toMatchObject({ code: 'WEBHOOK_REJECTED', retryable: false });
    expect(receiver.received.length).toBe(before + 1);
  });
});

describe('a receiver that never stops answering', () => {
  it('is cut off once its status is in', async () => {
    process.env.JOBKIT_WEBHOOK_ALLOW = '127.0.0.1';
    let streaming: NodeJS.Timeout | undefined;
    const endless = createServer((_request, response) => {
      response.writeHead(200);
      streaming = setInterval(() => response.write('x'.repeat(64 * 1024)), 5);
    });
    endless.listen(0, '127.0.0.1');
    await once(endless, 'listening');
    const address = endless.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const closed = new Promise<void>((resolve) => endless.on('connection', (socket) => socket.on('close', () => { resolve(); })));
    const endpointId = await insertEndpoint(db, ownerId, `http://127.0.0.1:${address.port}/`);
    await expect(deliver(endpointId, scriptedDns())).resolves.toMatchObject({ outcome: 'delivered', httpStatus: 200 });
    await closed;
    clearInterval(streaming);
    endless.close();
  });
});

describe('secret rotation', () => {
  it('signs with the old and the new secret during the overlap, and with the new one only after', async () => {
    process.env.JOBKIT_WEBHOOK_ALLOW = '127.0.0.1';
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const endpointId = await insertEndpoint(db, ownerId, `http://127.0.0.1:${receiver.port}/`, newSecret);
    await db.pool.query(`UPDATE webhook_endpoint SET previous_secret = $2, previous_secret_expires_at = now() + interval '1 hour' WHERE id = $1`, [
      endpointId,
      oldSecret,
    ]);
    await deliver(endpointId, scriptedDns());
    const during = receiver.received.at(-1);
    expect([signedWith(oldSecret, during), signedWith(newSecret, during)]).toEqual([true, true]);
    expect(String(during?.headers['webhook-signature']).split(' ')).toHaveLength(2);

    await db.pool.query(`UPDATE webhook_endpoint SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [endpointId]);
    await deliver(endpointId, scriptedDns());
    const after = receiver.received.at(-1);
    expect([signedWith(oldSecret, after), signedWith(newSecret, after)]).toEqual([false, true]);
  });
});
