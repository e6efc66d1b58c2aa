import type { Database } from '@jobkit/db';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { generateWebhookSecret } from '../src/signature.ts';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTP listener on 127.0.0.1 that records every request and counts every TCP connection, so a
 * test can say "nothing at all arrived", not only "no complete request".
 */
export interface WebhookReceiver {
  readonly port: number;
  readonly received: ReceivedWebhook[];
  /** TCP connections accepted so far, complete requests or not. */
  connections(): number;
  /** The status to answer the next requests with (204 when the list runs out). */
  answerWith(statuses: number[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let statuses: number[] = [];
  let connections = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(statuses.shift() ?? 204).end();
    });
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the receiver has no TCP address');
  return {
    port: address.port,
    received,
    connections: () => connections,
    answerWith(next) {
      statuses = [...next];
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  server.close();
  await once(server, 'close');
  return address.port;
}

/** An endpoint row written directly, as if its create-time check had been bypassed. */
export async function insertEndpoint(database: Database, ownerId: string, url: string, secret = generateWebhookSecret()): Promise<string> {
  const id = randomUUID();
  await database.pool.query('INSERT INTO webhook_endpoint (id, owner_id, url, secret) VALUES ($1, $2, $3, $4)', [id, ownerId, url, secret]);
  return id;
}
