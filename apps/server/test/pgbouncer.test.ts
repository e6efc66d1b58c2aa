/**
 * The real HTTP server and a worker through PgBouncer 1.18 (Debian's packages, in front of Debian's
 * PostgreSQL 15), in transaction and in session pooling mode: 1,000 jobs started over HTTP, every
 * answer a 2xx, every job completed exactly once. Migrations are applied through the bouncer too.
 * Pickup (claim minus enqueue, from the database's own timestamps, ms
 * precision) is printed, not asserted.
 */
import { createApiToken, defaultApiSettings } from '@jobkit/api';
import { applyMigrations, openDatabase, openPool, type Database } from '@jobkit/db';
import { createTestUser } from '@jobkit/db/testing';
import { startDebianPostgres, startPgBouncer, type DebianPostgres } from '@jobkit/db/testing/debian-postgres';
import { createWorker } from '@jobkit/worker';
import { capturedLog } from '@jobkit/worker/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpServer } from '../src/http-server.ts';
import { call } from './harness.ts';
import { nextEvent, subscriptionEvents, watchJobEvents } from './sse.ts';

const handlersModule = new URL('./fixtures/inline-handlers.ts', import.meta.url);
const text = 'Jobkit runs behind PgBouncer. It works in both pool modes, and every job ends once.';
let server: DebianPostgres;

beforeAll(async () => {
  server = await startDebianPostgres();
}, 300_000);
afterAll(() => server.stop());

interface Deployment {
  db: Database;
  baseUrl: string;
  token: string;
  log: ReturnType<typeof capturedLog>;
  close(): Promise<void>;
}

/** A database of its own, migrated, the server and a worker on it, all through a bouncer in `mode`. */
async function deploy(mode: 'transaction' | 'session', listen: 'direct' | 'bouncer'): Promise<Deployment> {
  const name = `jobkit_${mode}_${listen}`;
  const admin = openPool(server.urlFor('postgres'), 1);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const bouncer = await startPgBouncer(server, mode);
  await applyMigrations(bouncer.urlFor(name));
  const db = openDatabase(bouncer.urlFor(name), { maxConnections: 10, listenUrl: listen === 'direct' ? server.urlFor(name) : undefined });
  const app = await createHttpServer({
    db,
    settings: { ...defaultApiSettings, maxStartsPerMinute: 10_000, maxActiveJobsPerUser: 10_000 },
    secureCookies: false,
    logLevel: 'silent',
  });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const log = capturedLog();
  const worker = createWorker({ database: db, handlersModule, concurrency: 4, logger: log.logger });
  await worker.start();
  const { token } = await createApiToken(db, await createTestUser(db), 'pooler test');
  return {
    db,
    baseUrl,
    token,
    log,
    async close() {
      await worker.stop();
      await app.close();
      await db.close();
      await bouncer.stop();
    },
  };
}

/** Every HTTP answer's status, so that not one 5xx goes unseen. */
const statuses: number[] = [];

async function start(deployment: Deployment, input: { text: string } | { fileId: string } = { text }): Promise<string> {
  const answer = await call(deployment.baseUrl, 'analysis.startDocumentAnalysis', 'mutation', { token: deployment.token, input: { input } });
  statuses.push(answer.status);
  const jobId = (answer.body as { result?: { data?: { jobId?: string } } }).result?.data?.jobId;
  if (jobId === undefined) throw new Error(`start answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return jobId;
}

/** Uploads a Markdown document over HTTP (stored in one transaction, under the owner's quota lock). */
async function upload(deployment: Deployment): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([`# Poolers\n\n${text}\n`]), 'poolers.md');
  const response = await fetch(`${deployment.baseUrl}/files`, { method: 'POST', headers: { authorization: `Bearer ${deployment.token}` }, body: form });
  statuses.push(response.status);
  const body = (await response.json()) as { fileId?: string };
  if (body.fileId === undefined) throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
  return body.fileId;
}

/** Polls `jobs.getJob` over HTTP, as the browser does, until the job has the status. */
async function untilCompleted(deployment: Deployment, jobId: string, status = 'completed'): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await call(deployment.baseUrl, 'jobs.getJob', 'query', { token: deployment.token, input: { jobId } });
    statuses.push(answer.status);
    if ((answer.body as { result?: { data?: { status?: string } } }).result?.data?.status === status) return;
    if (Date.now() > deadline) throw new Error(`job ${jobId} not ${status} within 30 s: ${JSON.stringify(answer.body)}`);
    await sleep(5);
  }
}

/** Starts jobs one at a time on an idle worker; answers the pickup times, sorted. */
async function idlePickups(deployment: Deployment, count: number): Promise<number[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const jobId = await start(deployment);
    await untilCompleted(deployment, jobId);
    ids.push(jobId);
  }
  const { rows } = await deployment.db.pool.query<{ ms: number }>(
    `SELECT extract(epoch FROM a.started_at - j.created_at)::float8 * 1000 AS ms
     FROM job j JOIN job_attempt a ON a.job_id = j.id WHERE j.id = ANY($1::uuid[]) ORDER BY ms`,
    [ids],
  );
  return rows.map((row) => row.ms);
}

/** Starts `count` jobs over HTTP from 10 connections at once, waits for them all, checks each ran once. */
async function burst(deployment: Deployment, count: number): Promise<{ startsPerSecond: number }> {
  const began = performance.now();
  const ids: string[] = [];
  let taken = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (taken < count) {
        taken++;
        ids.push(await start(deployment));
      }
    }),
  );
  const startsPerSecond = (count * 1000) / (performance.now() - began);
  const deadline = Date.now() + 180_000;
  const done = async () => (await deployment.db.prisma.job.count({ where: { id: { in: ids }, status: 'completed' } })) === count;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not all ${count} jobs completed within 180 s`);
    await sleep(100);
  }
  const { rows } = await deployment.db.pool.query<{ jobs: number; attempts: number; completed_attempts: number; first_attempts: number }>(
    `SELECT count(DISTINCT j.id)::int AS jobs, count(a.*)::int AS attempts,
       count(*) FILTER (WHERE a.outcome = 'completed')::int AS completed_attempts,
       count(*) FILTER (WHERE j.attempt = 1 AND a.attempt = 1)::int AS first_attempts
     FROM job j JOIN job_attempt a ON a.job_id = j.id WHERE j.id = ANY($1::uuid[])`,
    [ids],
  );
  expect(rows[0]).toEqual({ jobs: count, attempts: count, completed_attempts: count, first_attempts: count });
  return { startsPerSecond };
}

const p50 = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;

describe.each([
  { mode: 'transaction', listen: 'direct' },
  { mode: 'session', listen: 'bouncer' },
] as const)('through PgBouncer in $mode mode, LISTEN on the $listen URL', ({ mode, listen }) => {
  let deployment: Deployment;
  beforeAll(async () => {
    deployment = await deploy(mode, listen);
  }, 120_000);
  afterAll(() => deployment.close());

  it('starts 1,000 jobs over HTTP without a 5xx and completes each exactly once', async () => {
    statuses.length = 0;
    const pickups = await idlePickups(deployment, 30);
    const { startsPerSecond } = await burst(deployment, 1_000);
    await untilCompleted(deployment, await start(deployment, { fileId: await upload(deployment) }));
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status < 200 || status >= 300)).toEqual([]);
    expect(deployment.log.messages().filter((line) => line.includes('polling for jobs instead'))).toEqual([]);
    console.log(
      `[pgbouncer] ${mode} mode, LISTEN ${listen}: 1,000 jobs started at ${Math.round(startsPerSecond)}/s over HTTP, ` +
        `${statuses.length} answers, 0 5xx; idle pickup p50 ${p50(pickups).toFixed(0)} ms, max ${(pickups.at(-1) ?? 0).toFixed(0)} ms (30 jobs)`,
    );
  }, 300_000);
});

describe('through PgBouncer in transaction mode, LISTEN through it too', () => {
  let deployment: Deployment;
  beforeAll(async () => {
    deployment = await deploy('transaction', 'bouncer');
  }, 120_000);
  afterAll(() => deployment.close());

  it('finds that LISTEN hears nothing, says what to set, polls instead, and cancels through heartbeats', async () => {
    statuses.length = 0;
    expect(deployment.log.messages().filter((line) => line.includes('polling for jobs instead'))).toHaveLength(1);
    expect(deployment.log.messages().join('\n')).toContain('DATABASE_LISTEN_URL');
    const pickups = await idlePickups(deployment, 20);
    await burst(deployment, 200);
    // No NOTIFY reaches the worker: a running job's cancellation reaches it with its next heartbeat.
    const waiting = await start(deployment, { text: 'WAIT for the cancellation.' });
    await untilCompleted(deployment, waiting, 'running');
    const cancelledAt = performance.now();
    statuses.push((await call(deployment.baseUrl, 'jobs.cancelJob', 'mutation', { token: deployment.token, input: { jobId: waiting } })).status);
    await untilCompleted(deployment, waiting, 'cancelled');
    const cancelMs = performance.now() - cancelledAt;
    expect(statuses.filter((status) => status < 200 || status >= 300)).toEqual([]);
    console.log(
      `[pgbouncer] transaction mode, LISTEN through it (poll-only): idle pickup p50 ${p50(pickups).toFixed(0)} ms (20 jobs); ` +
        `a running job cancelled in ${cancelMs.toFixed(0)} ms (heartbeat every 5 s)`,
    );
  }, 300_000);

  it('answers watchJob with SERVICE_UNAVAILABLE and what to do, and serves getJob and pollJob instead', async () => {
    const { baseUrl, token } = deployment;
    const jobId = await start(deployment);
    await untilCompleted(deployment, jobId);
    const event = await nextEvent(watchJobEvents(baseUrl, token, { jobId }));
    expect(event.event).toBe('serialized-error');
    expect(JSON.parse(event.data)).toMatchObject({
      message: 'Live job updates are not available on this server (its database connection cannot LISTEN); poll jobs.getJob instead.',
      data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
    });
    // Polling works through the bouncer: the whole job, then "unchanged" for the version it has.
    const full = await call(baseUrl, 'jobs.getJob', 'query', { token, input: { jobId } });
    const version = z.object({ result: z.object({ data: z.object({ status: z.literal('completed'), version: z.int() }) }) }).parse(full.body).result.data.version;
    const poll = await call(baseUrl, 'jobs.pollJob', 'query', { token, input: { jobId, knownVersion: version } });
    expect([poll.status, poll.body]).toEqual([200, { result: { data: { changed: false, version } } }]);
    // The header's list stream says the same, naming what to poll.
    const header = await nextEvent(subscriptionEvents(baseUrl, token, 'jobs.watchActiveJobs'));
    expect([header.event, JSON.parse(header.data)]).toMatchObject([
      'serialized-error',
      { message: expect.stringContaining('poll jobs.activeJobs instead') as unknown, data: { code: 'SERVICE_UNAVAILABLE' } },
    ]);
  }, 120_000);
});
