import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, userWithToken, type HttpHarness } from './harness.ts';

let harness: HttpHarness;
beforeAll(async () => {
  harness = await startHarness({ maxActiveJobsPerUser: 100 });
});
afterAll(() => harness.close());

describe('the active-job limit over HTTP', () => {
  it('accepts exactly the limit of 700 concurrent starts from an account with no jobs, and refuses the rest clearly', async () => {
    const { userId, token } = await userWithToken(harness.db);
    const answers = await Promise.all(
      Array.from({ length: 700 }, (_, n) =>
        call(harness.baseUrl, 'analysis.startDocumentAnalysis', 'mutation', { token, input: { input: { text: `Start number ${n}.` } } }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses.filter((status) => status === 429)).toHaveLength(600);
    const refusal = answers.find((answer) => answer.status === 429);
    expect(refusal?.body).toMatchObject({
      error: { message: 'You have 100 jobs queued or running; the limit is 100. Wait for some to finish or cancel them.' },
    });
    expect(await harness.db.prisma.job.count({ where: { ownerId: userId } })).toBe(100);
  }, 120_000);
});
