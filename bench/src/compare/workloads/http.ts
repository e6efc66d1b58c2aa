import { createApiToken } from '@jobkit/api';
import { openDatabase, type Database } from '@jobkit/db';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { startLoad, startServer, type ServerProcess } from '../children.ts';
import type { ChildMessage } from '../protocol.ts';
import type { BenchConfig } from '../config.ts';
import type { BenchPostgres } from '../postgres.ts';
import { sleep } from '../stats.ts';
import { jobkit } from '../systems/jobkit.ts';
import { measureDrain } from './queue.ts';

type LoadResult = Extract<ChildMessage, { type: 'load' }>;

const document = { input: { text: 'A short document. It has two sentences.' } };

/** A user with an API token, as a program calling the API has (the harness's way, in the bench). */
export async function apiUser(db: Database, name: string) {
  const userId = uuidv7();
  await db.prisma.user.create({ data: { id: userId, email: `${name}-${userId}@bench.invalid`, name } });
  const { token } = await createApiToken(db, userId, `${name} token`);
  return { userId, token };
}

/** The real server on a fresh copy of our schema, and a pool of our own beside it. */
export async function withServer<T>(postgres: BenchPostgres, config: BenchConfig, action: (server: ServerProcess, db: Database, url: string) => Promise<T>) {
  const url = await postgres.freshDatabase('jobkit');
  const server = await startServer(url, config.childNode);
  const db = openDatabase(url, { maxConnections: 2 });
  try {
    return await action(server, db, url);
  } finally {
    await db.close();
    await server.stop();
    await postgres.dropDatabase(url);
  }
}

/** The start mutations over real HTTP: closed-loop, `config.concurrency` connections, fixed time. */
export function measureStarts(postgres: BenchPostgres, config: BenchConfig) {
  return withServer(postgres, config, async (server, db) => {
    // Separate users: the per-user limit check counts each user's active jobs, so the second
    // measurement must not pay for the jobs the first one queued.
    const single = await apiUser(db, 'starter');
    const batch = await apiUser(db, 'batcher');
    const base = { url: server.baseUrl, method: 'POST', connections: config.concurrency, seconds: config.httpSeconds } as const;
    const one = await startLoad({ ...base, token: single.token, paths: ['/trpc/analysis.startDocumentAnalysis'], body: JSON.stringify(document) }, config.childNode);
    const oneResult = await one.finish();
    const jobs = Array.from({ length: config.startManySize }, () => ({ kind: 'documentAnalysis', ...document }));
    const many = await startLoad({ ...base, token: batch.token, paths: ['/trpc/analysis.startMany'], body: JSON.stringify({ jobs }) }, config.childNode);
    const manyResult = await many.finish();
    return {
      problems: [describeFailures('startDocumentAnalysis', oneResult), describeFailures('startMany', manyResult)].filter(isString),
      startsPerSecond: oneResult.requestsPerSecond,
      p50: oneResult.p50,
      p99: oneResult.p99,
      startManyJobsPerSecond: manyResult.requestsPerSecond * config.startManySize,
    };
  });
}

/**
 * `jobs.getJob` from `pollers` connections with no pause between polls (the worst case for the
 * server and the database), each poll another job, while one worker process drains the no-op queue.
 * Polling starts shortly before the drain (a second at default sizes) and lasts at least `httpSeconds`. Its rate and latency
 * are measured over that whole time; the drain's against the drain alone (the `drain1` row).
 */
export function measurePolling(postgres: BenchPostgres, config: BenchConfig, pollers: number) {
  return withServer(postgres, config, async (server, db, serverUrl) => {
    const user = await apiUser(db, 'poller');
    const jobIds = await startPolledJobs(server, user.token, Math.min(pollers, config.pollTargets));
    const paths = jobIds.map((jobId) => `/trpc/jobs.getJob?input=${encodeURIComponent(JSON.stringify({ jobId }))}`);
    // Our benchmark worker has no handler for documentAnalysis: due tomorrow, these polled jobs
    // stay `queued` without sitting ahead of the no-op jobs in every claim's index scan.
    await db.pool.query(`UPDATE job SET run_at = now() + interval '1 day' WHERE owner_id = $1`, [user.userId]);

    let load: Awaited<ReturnType<typeof startLoad>> | undefined;
    let loadStarted = 0;
    try {
      const drain = await measureDrain(jobkit, postgres, config, {
        processes: 1,
        url: serverUrl,
        async beforeFill() {
          load = await startLoad({ url: server.baseUrl, method: 'GET', token: user.token, connections: pollers, paths }, config.childNode);
          loadStarted = performance.now();
          // Let the pollers reach their pace before the drain starts.
          await sleep(Math.min(1_000, config.httpSeconds * 200));
        },
      });
      await sleep(Math.max(0, config.httpSeconds * 1000 - (performance.now() - loadStarted)));
      if (!load) throw new Error('the poll load never started');
      const polls = await load.finish();
      load = undefined;
      return {
        pollsPerSecond: polls.requestsPerSecond,
        p50: polls.p50,
        p99: polls.p99,
        drainJobsPerSecond: drain.jobsPerSecond,
        problems: [describeFailures(`getJob, ${pollers} pollers`, polls)].filter(isString),
      };
    } finally {
      await load?.finish();
    }
  });
}

/** Document analyses started over HTTP, as a browser would, for pollers to ask for. */
export async function startPolledJobs(server: ServerProcess, token: string, count: number): Promise<string[]> {
  const jobIds: string[] = [];
  for (let n = 0; n < count; n++) {
    const response = await fetch(`${server.baseUrl}/trpc/analysis.startDocumentAnalysis`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(document),
    });
    jobIds.push(startAnswer.parse(await response.json()).result.data.jobId);
  }
  return jobIds;
}

/** Failed requests are reported beside the table, not hidden: the rates count 2xx answers only. */
export function describeFailures(what: string, result: LoadResult): string | undefined {
  if (result.failed === 0) return undefined;
  return `${what}: ${result.failed} of ${result.ok + result.failed} requests failed: ${result.failures}`;
}

export function isString(value: string | undefined): value is string {
  return value !== undefined;
}

// tRPC's HTTP answer to a mutation: { result: { data: { jobId, … } } }
const startAnswer = z.object({ result: z.object({ data: z.object({ jobId: z.string() }) }) });
