/**
 * Jobs stored by another version of their kind (before a deploy changed it, or by a newer process
 * during one) are still shown: their result as stored when it does not fit today's output schema,
 * never a 500.
 */
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
let ownerId: string;
let owner: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  ownerId = await createTestUser(db);
  owner = createCaller(createInnerContext({ db, actor: { userId: ownerId, role: 'user' } }));
});
afterAll(() => db.drop());

async function storedJob(row: { kind: string; payloadVersion: number; status: 'completed' | 'running'; result?: object; progressData?: object }) {
  const id = uuidv7();
  await db.prisma.job.create({
    data: { id, ownerId, input: {}, maxAttempts: 3, attempt: 1, startedAt: new Date(), ...row, ...(row.status === 'completed' ? { finishedAt: new Date() } : {}) },
  });
  return id;
}

describe('jobs.getJob of a job stored by another version of its kind', () => {
  it('answers a version 1 webhook delivery, its result as stored (version 2 added `outcome`)', async () => {
    const deliveredAt = '2026-11-30T10:00:00.000Z';
    const jobId = await storedJob({ kind: 'webhookDelivery', payloadVersion: 1, status: 'completed', result: { httpStatus: 204, deliveredAt } });
    const job = await owner.jobs.getJob({ jobId });
    expect(job).toMatchObject({ kind: 'webhookDelivery', payloadVersion: 1, status: 'completed', result: null });
    expect(job.storedResult).toEqual({
      payloadVersion: 1,
      reason: 'It was stored by webhookDelivery version 1 and does not fit version 2 (outcome: Invalid input: expected "delivered").',
      data: { httpStatus: 204, deliveredAt },
    });
  });

  it('answers a job of a version newer than this server reads, with what fits', async () => {
    const result = { wordCount: 'many' };
    const finished = await owner.jobs.getJob({ jobId: await storedJob({ kind: 'documentAnalysis', payloadVersion: 9, status: 'completed', result }) });
    expect(finished).toMatchObject({ payloadVersion: 9, result: null, storedResult: { payloadVersion: 9, data: result } });
    expect(finished.storedResult?.reason).toMatch(/^It was stored by documentAnalysis version 9 and does not fit version 1 \(/);
    // Progress data is a passing state: one that does not fit is left out.
    const running = await owner.jobs.getJob({
      jobId: await storedJob({ kind: 'documentAnalysis', payloadVersion: 9, status: 'running', progressData: { stage: 'translating' } }),
    });
    expect(running).toMatchObject({ status: 'running', progressData: null, result: null, storedResult: null });
  });

  it('answers a job of a kind this server does not know yet (a newer one started it) with a reason, not a 500', async () => {
    const jobId = await storedJob({ kind: 'translation', payloadVersion: 1, status: 'running' });
    const error = await errorOf(owner.jobs.getJob({ jobId }));
    expect([error.code, error.message]).toEqual([
      'PRECONDITION_FAILED',
      'This job is a translation, which this server does not know yet (a newer version started it). Ask again shortly.',
    ]);
  });

  it('keeps a result of today’s version typed, with nothing beside it', async () => {
    const result = { outcome: 'delivered', httpStatus: 200, deliveredAt: '2026-12-01T10:00:00.000Z' };
    const job = await owner.jobs.getJob({ jobId: await storedJob({ kind: 'webhookDelivery', payloadVersion: 2, status: 'completed', result }) });
    expect(job).toMatchObject({ result, storedResult: null });
  });
});
