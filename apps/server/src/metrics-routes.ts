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
 * Times every tRPC request by procedure path (`jobkit_http_request_duration_seconds`) and, unless
 * another port serves them, answers `GET /metrics`. Registered before the tRPC routes, so its hook
 * is theirs too.
 */
export function registerMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  const requests = trpcRequestMetrics(metrics.registry, { prefix: '/trpc', procedures: Object.keys(appRouter._def.procedures) });
  app.addHook('onResponse', async (request, reply) => {
    requests.observe({ url: request.url, status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
  });
  if (!metrics.servedHere) return;
  app.get('/metrics', async (request, reply) => {
    const answer = await answerScrape(metrics.registry, request.headers.authorization, metrics.token);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}
