import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { appRouter, closeJobStream, createHttpContextFactory, openApiDocument, sessionCookieName, type ApiSettings, type AppRouter, type CookieAccess } from '@jobkit/api';
import type { Database } from '@jobkit/db';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { registerFileRoutes } from './file-routes.ts';
import { registerMetrics, type ServerMetrics } from './metrics-routes.ts';
import { securityHeaders } from './security-headers.ts';
import { addSseRetryHint } from './sse-retry.ts';

export interface HttpServerOptions {
  db: Database;
  settings: ApiSettings;
  /** Mark the session cookie Secure (serve over HTTPS, or behind a proxy that does). */
  secureCookies: boolean;
  /** The built web app; served with a fallback to index.html for client-side routes. */
  webDist?: string | undefined;
  logLevel?: string;
  /**
   * Whose address `request.ip` is when a reverse proxy stands in front (Fastify's `trustProxy`):
   * false (the socket's peer), true (any proxy), the proxies' addresses/CIDRs, or which hops to trust.
   */
  trustProxy?: boolean | string[] | ((address: string, hop: number) => boolean);
  /** Prometheus metrics: tRPC request durations, and `/metrics` (see ServerMetrics). None when absent. */
  metrics?: ServerMetrics;
}

/** The HTTP face of the app: tRPC at /trpc, uploads and downloads at /files, /healthz and /readyz, /openapi.json, and the web app. */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info' },
    trustProxy: options.trustProxy ?? false,
    // Polling would fill the log with one line per request.
    logController: new LogController({ disableRequestLogging: true }),
    // Batched tRPC calls put procedure names in the path.
    routerOptions: { maxParamLength: 5000 },
    // A document may be 500,000 characters, up to 4 bytes each in UTF-8, sent as JSON.
    bodyLimit: 4 * 1024 * 1024,
    // A URL whose %-escapes do not decode (`/files/%ED%A0%80`) is refused by the router itself;
    // it gets the API's error shape too, with a sentence.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply.code(400).send({
        error: { message: 'The request URL is not valid: it has a %-escape that does not decode to text.', code: error.code },
      });
    },
    // Requests Node refuses before any route sees them (URL or headers too large, broken HTTP)
    // get the same JSON error shape as the API's own errors.
    clientErrorHandler: (error, socket) => {
      const tooLarge = 'code' in error && error.code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : 400;
      const message = tooLarge
        ? 'The request URL or headers are too large. Send large inputs in a POST body.'
        : 'The request is not valid HTTP.';
      const body = JSON.stringify({ error: { message, code: tooLarge ? 'REQUEST_HEADER_FIELDS_TOO_LARGE' : 'BAD_REQUEST' } });
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.destroy(error);
      }
    },
  });

  // Errors raised by Fastify itself (body too large, not JSON...) in the API's error shape, with
  // messages for people; anything unexpected is logged and answered without its details.
  app.setErrorHandler<FastifyError>(async (error, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    let message = error.message;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      message = 'The request body is larger than the 4 MB limit; a document is at most 500,000 characters.';
    } else if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      message = 'Something went wrong on our side. The error was logged; please try again.';
    }
    await reply.code(status).send({ error: { message, code: error.code } });
  });

  await app.register(fastifyHelmet, securityHeaders(options.secureCookies));
  await app.register(fastifyCookie);
  const cookies: CookieAccess = {
    read: (request) => request.cookies[sessionCookieName],
    // HttpOnly: scripts cannot read it. SameSite=Lax: other sites cannot send it with their POSTs.
    write: (reply, token, expiresAt) =>
      void reply.setCookie(sessionCookieName, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        path: '/',
        expires: expiresAt,
      }),
    erase: (reply) => void reply.clearCookie(sessionCookieName, { path: '/' }),
  };

  // Defence in depth against cross-site requests riding on the session cookie: a browser always
  // sends Origin with a POST, and it must be this server's own. An Origin that is not a URL (`null`
  // from a sandboxed frame or a privacy redirect, or garbage) is nobody's own: refused too.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (request.method !== 'POST' || origin === undefined || request.cookies[sessionCookieName] === undefined) return;
    if (URL.parse(origin)?.host !== request.headers.host) {
      await reply.code(403).send({ error: { message: 'Cross-site request refused.', code: 'FORBIDDEN' } });
    }
  });

  // Open job streams end before the server waits for its connections to finish (preClose, not
  // onClose), and the stream's LISTEN connection goes with them.
  app.addHook('preClose', () => closeJobStream(options.db));
  addSseRetryHint(app);
  if (options.metrics) registerMetrics(app, options.metrics);
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      // Queries may be POSTed with their input as a JSON body: what clients generated from
      // /openapi.json send (they cannot put JSON in a query string). They still only read.
      allowMethodOverride: true,
      createContext: createHttpContextFactory(options.db, options.settings, cookies),
      onError({ path, error }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ path, err: error.cause ?? error }, 'procedure failed');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  await registerFileRoutes(app, options.db, options.settings);

  // Built once from the router's schemas; public like the web app's code, it names no data.
  const openApi = JSON.stringify(openApiDocument());
  app.get('/openapi.json', (_request, reply) => reply.type('application/json').send(openApi));

  // Liveness: the process answers. It does not ask the database, so a database restart makes a
  // process manager wait (readiness) rather than restart every server at once.
  app.get('/healthz', () => ({ status: 'ok' }));
  // Readiness: it can serve requests, which all need the database.
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.db.pool.query('SELECT 1');
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'not ready', reason: 'database unreachable' });
    }
  });

  const webDist = options.webDist;
  if (webDist && existsSync(join(webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false });
    app.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && !/^\/(trpc|files)\//.test(request.url)) return reply.sendFile('index.html');
      return reply.code(404).send({ error: 'Not found' });
    });
  } else {
    app.get('/', () => ({
      message: 'The web app is not built. `pnpm start` builds it; `pnpm dev` serves it with hot reload.',
    }));
  }
  return app;
}
