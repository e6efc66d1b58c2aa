import { appRouter } from '@jobkit/api';
import { answerScrape, trpcRequestMetrics, type Registry } from '@jobkit/metrics';
import type { FastifyInstance } from 'fastify';

export interface ServerMetrics {
  registry: Registry;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>` (METRICS_TOKEN). */
  token: string | undefined;
  /** `/metrics` on this server's own port; false when a port of its own serves it (METRICS_PORT). */
  servedHere: boolean;
}

/**
 * Times every tRPC request by procedure path (`jobkit_http_request_duration_seconds`) and answers
 * `GET /metrics`: the metrics, or a 404 saying that METRICS_PORT serves them. Registered before the
 * tRPC routes, so its hook is theirs too.
 */
export function registerMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  const requests = trpcRequestMetrics(metrics.registry, { prefix: '/trpc', procedures: Object.keys(appRouter._def.procedures) });
  app.addHook('onResponse', async (request, reply) => {
    requests.observe({ url: request.url, status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
  });
  if (!metrics.servedHere) {
    // Without this route the web app's fallback would answer a scraper with index.html and a 200.
    app.get('/metrics', (_request, reply) =>
      reply.code(404).send({
        error: { message: 'The metrics are not served on this port: this server serves them on its METRICS_PORT.', code: 'NOT_FOUND' },
      }),
    );
    return;
  }
  app.get('/metrics', async (request, reply) => {
    const answer = await answerScrape(metrics.registry, request.headers.authorization, metrics.token);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}
