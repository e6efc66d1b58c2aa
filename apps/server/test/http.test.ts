import { createApiToken, createUser, defaultApiSettings, type AppRouter } from '@jobkit/api';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { createWorker, type Worker } from '@jobkit/worker';
import { silentLogger } from '@jobkit/worker/testing';
import { defaultHandlersModule } from '@jobkit/jobs/handlers';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../src/http-server.ts';

let db: TestDatabase;
let app: FastifyInstance;
let worker: Worker;
let baseUrl: string;
let client: ReturnType<typeof createTRPCClient<AppRouter>>;

beforeAll(async () => {
  db = await createTestDatabase();
  const userId = await createTestUser(db);
  const { token } = await createApiToken(db, userId, 'http test');
  app = await createHttpServer({ db, settings: defaultApiSettings, secureCookies: false, logLevel: 'silent' });
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  client = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${baseUrl}/trpc`, headers: { authorization: `Bearer ${token}` } })],
  });
  worker = createWorker({ database: db, handlersModule: defaultHandlersModule, concurrency: 1, logger: silentLogger });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  await app.close();
  await db.drop();
});

describe('over HTTP with the tRPC client', () => {
  it('starts an analysis, answers at once, and serves its typed result once a worker ran it', async () => {
    const text = 'The queue accepted the job. The worker finished the job. The browser showed the result.';
    const { jobId, status } = await client.analysis.startDocumentAnalysis.mutate({ input: { text } });
    // Answered before the work: the job is still queued (speed is the benchmark's to measure, not a test's).
    expect(status).toBe('queued');

    let job = await client.jobs.getJob.query({ jobId });
    const seen = new Set<string>([job.status]);
    while (job.status === 'queued' || job.status === 'running') {
      await sleep(20);
      job = await client.jobs.getJob.query({ jobId });
      seen.add(job.status);
    }
    expect(job.status).toBe('completed');
    // `job.result` is typed by the job's kind: no cast between the server and this assertion.
    if (job.kind !== 'documentAnalysis') throw new Error(`expected a document analysis, got ${job.kind}`);
    expect(job.result?.sentenceCount).toBe(3);
    expect(job.result?.topKeywords[0]?.term).toBe('job');
    expect(job.finishedAt).not.toBeNull();
  });

  it('answers bad input with 400, a readable message and the field path', async () => {
    const error = await client.jobs.getJob.query({ jobId: 'not-a-uuid' }).catch((reason: unknown) => reason);
    if (!(error instanceof TRPCClientError)) throw new Error('expected a TRPCClientError');
    expect(error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, issues: [{ path: 'jobId' }] });
    expect(error.message).toMatch(/^jobId: A job id is a UUID/);
  });

  it('signs a browser in with an HttpOnly, SameSite cookie and refuses cross-site posts that carry it', async () => {
    await createUser(db, { email: 'grace@example.com', name: 'Grace', password: 'correct horse battery' });
    const signIn = await fetch(`${baseUrl}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'Grace@Example.com', password: 'correct horse battery' }),
    });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^jobkit_session=[\w-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const cookie = setCookie.split(';')[0] ?? '';

    const me = await fetch(`${baseUrl}/trpc/auth.me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ result: { data: { email: 'grace@example.com', role: 'user' } } });

    const forged = await fetch(`${baseUrl}/trpc/analysis.startDocumentAnalysis`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ input: { text: 'Forged.' } }),
    });
    expect(forged.status).toBe(403);

    const wrong = await fetch(`${baseUrl}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'grace@example.com', password: 'not the password' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('reports health and readiness, and 404 for unknown paths', async () => {
    expect(await (await fetch(`${baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${baseUrl}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    expect((await fetch(`${baseUrl}/trpc/jobs.nope`)).status).toBe(404);
  });
});
