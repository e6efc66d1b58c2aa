import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export interface ScrapeAnswer {
  status: 200 | 401;
  headers: Record<string, string>;
  body: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests, so neither the token's length nor its characters show in the timing. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

/**
 * What `GET /metrics` answers: the registry in Prometheus' text format, or, when a token is set
 * and the request does not carry it as `Authorization: Bearer <token>`, 401 and nothing else.
 */
export async function answerScrape(registry: Registry, authorization: string | undefined, token: string | undefined): Promise<ScrapeAnswer> {
  if (token !== undefined && !bearerMatches(authorization, token)) {
    return {
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' },
      body: JSON.stringify({
        error: { code: 'UNAUTHORIZED', message: 'The metrics need the token: send Authorization: Bearer <METRICS_TOKEN>.' },
      }),
    };
  }
  return { status: 200, headers: { 'content-type': registry.contentType }, body: await registry.metrics() };
}

export interface MetricsServer {
  /** `http://host:port`, the port the system chose when asked for 0. */
  readonly url: string;
  close(): Promise<void>;
}

/** Whether the process takes work now, and if not why (a worker's `readiness()`). */
export type Readiness = () => { ready: boolean; reason: string | null };

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/**
 * A listener of its own, apart from the API's: `GET /metrics`, and with `readiness` the probes a
 * process manager asks: `/healthz` (the process answers: restart it if not) and `/readyz` (it takes
 * work: 503 with the reason while starting, stopping, or cut off from its database). The probes
 * carry no data, so they need no token. 404 to anything else.
 */
export async function serveMetrics(options: { registry: Registry; host: string; port: number; token: string | undefined; readiness?: Readiness }): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    const { readiness } = options;
    if (request.method === 'GET' && readiness && path === '/healthz') {
      json(response, 200, { status: 'ok' });
      return;
    }
    if (request.method === 'GET' && readiness && path === '/readyz') {
      const { ready, reason } = readiness();
      json(response, ready ? 200 : 503, ready ? { status: 'ready' } : { status: 'not ready', reason });
      return;
    }
    if (request.method !== 'GET' || path !== '/metrics') {
      json(response, 404, { error: { code: 'NOT_FOUND', message: `This port serves GET /metrics${readiness ? ', /healthz and /readyz' : ''} only.` } });
      return;
    }
    answerScrape(options.registry, request.headers.authorization, options.token).then(
      (answer) => {
        response.writeHead(answer.status, answer.headers).end(answer.body);
      },
      () => {
        response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('The metrics server listens on no TCP port.');
  const { address, family, port } = bound;
  return {
    url: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
