/**
 * `pnpm worker` (from its sources, through tsx) with its metrics port and JSON logs: the port
 * answers as the server's /metrics does, and its log lines about a job carry the job's fields.
 */
import { documentAnalysis } from '@jobkit/jobs';
import { createTestDatabase, createTestUser, startTypeScriptProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { parseMetrics, sampleOf } from '@jobkit/metrics/testing';
import { enqueueJobs } from '@jobkit/queue';
import { endedJob } from '@jobkit/worker/testing';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const metricsToken = 'worker-scrape-token-1234';
let db: TestDatabase;
let worker: TestProcess;
let metricsUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  worker = startTypeScriptProcess('src/main.ts', {
    cwd: appDir,
    env: { DATABASE_URL: db.url, WORKER_CONCURRENCY: '1', WORKER_METRICS_PORT: '0', METRICS_TOKEN: metricsToken, LOG_LEVEL: 'debug' },
  });
  [, metricsUrl = ''] = await worker.waitFor(/^Worker \S+ is running .* Its metrics are at (http:\S+\/metrics), its probes at \/healthz and \/readyz\.$/m);
}, 120_000);
afterAll(async () => {
  await worker.kill('SIGTERM');
  await db.drop();
});

const scrape = (token?: string) => fetch(metricsUrl, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('pnpm worker', () => {
  it('serves its metrics on WORKER_METRICS_PORT, behind the token, and logs each job as JSON with its fields', { timeout: 120_000 }, async () => {
    expect((await scrape()).status).toBe(401);
    const ownerId = await createTestUser(db);
    const [job] = await enqueueJobs(db.pool, [
      { kind: documentAnalysis.kind, payloadVersion: documentAnalysis.version, input: { text: 'One sentence here. And a second.' }, ownerId, maxAttempts: 1 },
    ]);
    expect((await endedJob(db, job?.id, 90_000)).status).toBe('completed');
    const answer = await scrape(metricsToken);
    expect(answer.status).toBe(200);
    const parsed = parseMetrics(await answer.text());
    expect(sampleOf(parsed, 'jobkit_jobs_completed_total', { kind: 'documentAnalysis' })).toBe(1);

    const completion = await worker.waitFor(/^\{.*"msg":"job completed".*\}$/m);
    const line: unknown = JSON.parse(completion[0]);
    expect(line).toMatchObject({ level: 20, jobId: job?.id, kind: 'documentAnalysis', attempt: 1, workerId: expect.any(String) as unknown });
  });

  it('answers the probes on the same port without the token: alive, and ready while its database answers', async () => {
    const probe = async (path: string) => {
      const answer = await fetch(new URL(path, metricsUrl));
      const body: unknown = await answer.json();
      return { status: answer.status, body };
    };
    expect(await probe('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('reads --metrics-port, and refuses one that is not a port with a sentence naming it', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts', '--metrics-port', 'ninety'], {
      cwd: appDir,
      env: { ...process.env, DATABASE_URL: db.url },
    });
    await expect(run).rejects.toMatchObject({ stderr: expect.stringContaining('WORKER_METRICS_PORT (or --metrics-port) must be a port number') as unknown });
  });
});
