import { defaultApiSettings } from '@jobkit/api';
import { createTestDatabase, type TestDatabase } from '@jobkit/db/testing';
import { defaultHandlersModule } from '@jobkit/jobs/handlers';
import { createProcessMetrics, serveMetrics, type MetricsServer, type ProcessMetrics } from '@jobkit/metrics';
import { observationsOf, parseMetrics, sampleOf } from '@jobkit/metrics/testing';
import { createWorker, type Worker } from '@jobkit/worker';
import { endedJob, silentLogger } from '@jobkit/worker/testing';
import type { FastifyInstance } from 'fastify';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../src/http-server.ts';
import { call, startDocumentJob, userWithToken } from './harness.ts';

const metricsToken = 'scrape-me-with-this-token';
let db: TestDatabase;
let worker: Worker;
let userToken: string;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ({ token: userToken } = await userWithToken(db));
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await db.drop();
});

/** The real server with a worker in its process, as `pnpm start` wires them, on a free port. */
async function startServer(metricsOptions: { token?: string; ownPort?: boolean; webDist?: string } = {}) {
  const metrics: ProcessMetrics = createProcessMetrics(db.pool, { queueDepthRefreshMs: 0 });
  const app: FastifyInstance = await createHttpServer({
    db,
    settings: { ...defaultApiSettings, maxStartsPerMinute: 10_000 },
    secureCookies: false,
    logLevel: 'silent',
    webDist: metricsOptions.webDist,
    metrics: { registry: metrics.registry, token: metricsOptions.token, servedHere: metricsOptions.ownPort !== true },
  });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  let metricsPort: MetricsServer | undefined;
  if (metricsOptions.ownPort === true) {
    metricsPort = await serveMetrics({ registry: metrics.registry, host: '127.0.0.1', port: 0, token: metricsOptions.token });
    closers.push(() => metricsPort?.close() ?? Promise.resolve());
  }
  return { baseUrl, metrics, metricsUrl: `${metricsPort?.url ?? baseUrl}/metrics` };
}

const scrape = (url: string, token?: string) => fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('GET /metrics on the server', () => {
  it('parses as Prometheus text, and its counters and request durations move as a job runs', async () => {
    const server = await startServer();
    worker = createWorker({
      database: db,
      handlersModule: defaultHandlersModule,
      concurrency: 1,
      logger: silentLogger,
      observer: server.metrics.workers.observer,
    });
    server.metrics.workers.watch(worker);
    await worker.start();
    closers.push(() => worker.stop());
    const jobId = await startDocumentJob(server.baseUrl, userToken, 'A secret-sesame sentence. Another one here.');
    expect((await endedJob(db, jobId)).status).toBe('completed');
    await call(server.baseUrl, 'jobs.getJob', 'query', { token: userToken, input: { jobId } });
    // A path no procedure has, with an input in its query string: neither becomes a label.
    await call(server.baseUrl, 'no.suchProcedure', 'query', { token: userToken, input: { secret: 'secret-sesame' } });

    const response = await scrape(server.metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const parsed = parseMetrics(text);
    expect(sampleOf(parsed, 'jobkit_jobs_started_total', { kind: 'documentAnalysis' })).toBe(1);
    expect(sampleOf(parsed, 'jobkit_jobs_completed_total', { kind: 'documentAnalysis' })).toBe(1);
    expect(sampleOf(parsed, 'jobkit_queue_jobs', { kind: 'documentAnalysis', status: 'queued' })).toBe(0);
    const { registry } = server.metrics;
    expect(await observationsOf(registry, 'jobkit_http_request_duration_seconds', { procedure: 'analysis.startDocumentAnalysis', status: '200' })).toBe(1);
    expect(await observationsOf(registry, 'jobkit_http_request_duration_seconds', { procedure: 'jobs.getJob', status: '200' })).toBe(1);
    expect(await observationsOf(registry, 'jobkit_http_request_duration_seconds', { procedure: 'unknown', status: '404' })).toBe(1);
    expect(text).not.toContain('no.suchProcedure');
    expect(text).not.toContain('sesame');
    expect(text).not.toContain(jobId);
  });

  it('with METRICS_TOKEN, answers 401 without the token or with another, and the metrics with it', async () => {
    const { metricsUrl } = await startServer({ token: metricsToken });
    for (const token of [undefined, 'not-the-token-at-all', `${metricsToken}x`]) {
      const refused = await scrape(metricsUrl, token);
      expect(refused.status).toBe(401);
      const body = await refused.text();
      expect(body).toContain('METRICS_TOKEN');
      expect(body).not.toContain('jobkit_');
    }
    const allowed = await scrape(metricsUrl, metricsToken);
    expect(allowed.status).toBe(200);
    expect(parseMetrics(await allowed.text()).some((family) => family.name === 'jobkit_process_cpu_seconds_total')).toBe(true);
  });

  it('with METRICS_PORT, serves them there only, the token still asked; the API port says where they are', async () => {
    // With the web app built, a GET no route knows would get its index.html (client-side routes).
    const webDist = await mkdtemp(join(tmpdir(), 'jobkit-web-dist-'));
    closers.push(() => rm(webDist, { recursive: true, force: true }));
    await writeFile(join(webDist, 'index.html'), '<!doctype html><title>the web app</title>');
    const { baseUrl, metricsUrl } = await startServer({ token: metricsToken, ownPort: true, webDist });
    expect(metricsUrl).not.toBe(`${baseUrl}/metrics`);
    const onApiPort = await scrape(`${baseUrl}/metrics`, metricsToken);
    expect(onApiPort.status).toBe(404);
    const notHere = await onApiPort.text();
    expect(notHere).toContain('METRICS_PORT');
    expect(notHere).not.toContain('the web app');
    expect(notHere).not.toContain('jobkit_');
    expect(await (await fetch(`${baseUrl}/some/page`)).text()).toContain('the web app');
    expect((await scrape(metricsUrl)).status).toBe(401);
    const allowed = await scrape(metricsUrl, metricsToken);
    expect(allowed.status).toBe(200);
    expect(parseMetrics(await allowed.text()).length).toBeGreaterThan(0);
    expect((await scrape(metricsUrl.replace('/metrics', '/other'), metricsToken)).status).toBe(404);
  });
});
