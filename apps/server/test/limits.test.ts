import type { TestProcess } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, userWithToken, type CallResult, type HttpHarness } from './harness.ts';
import { startApp } from './processes.ts';

let harness: HttpHarness;
const servers: TestProcess[] = [];
beforeAll(async () => {
  harness = await startHarness({ maxActiveJobsPerUser: 100 });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.kill()));
  await harness.close();
});

/** 700 starts at once from one account, the n-th sent to `baseUrls[n % length]`. */
function startAtOnce(baseUrls: string[], token: string): Promise<CallResult[]> {
  return Promise.all(
    Array.from({ length: 700 }, (_, n) =>
      call(baseUrls[n % baseUrls.length] ?? '', 'analysis.startDocumentAnalysis', 'mutation', {
        token,
        input: { input: { text: `Start number ${String(n)}.` } },
      }),
    ),
  );
}

describe('the active-job limit over HTTP', () => {
  it('accepts exactly the limit of 700 concurrent starts from an account with no jobs, and refuses the rest clearly', async () => {
    const { userId, token } = await userWithToken(harness.db);
    const answers = await startAtOnce([harness.baseUrl], token);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses.filter((status) => status === 429)).toHaveLength(600);
    const refusal = answers.find((answer) => answer.status === 429);
    expect(refusal?.body).toMatchObject({
      error: { message: 'You have 100 jobs queued or running; the limit is 100. Wait for some to finish or cancel them.' },
    });
    expect(await harness.db.prisma.job.count({ where: { ownerId: userId } })).toBe(100);
  }, 120_000);

  it('holds across server processes sharing the database', async () => {
    const env = { DATABASE_URL: harness.db.url, PORT: '0', RUN_WORKER: 'false', MAX_ACTIVE_JOBS_PER_USER: '100', MAX_STARTS_PER_MINUTE: '0' };
    servers.push(startApp('server', env), startApp('server', env));
    const baseUrls = await Promise.all(servers.map(async (server) => (await server.waitFor(/running at (http:\/\/\S+)/))[1] ?? ''));
    const { userId, token } = await userWithToken(harness.db);
    const statuses = (await startAtOnce(baseUrls, token)).map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses.filter((status) => status === 429)).toHaveLength(600);
    expect(await harness.db.prisma.job.count({ where: { ownerId: userId } })).toBe(100);
  }, 180_000);
});
