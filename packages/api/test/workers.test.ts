import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { registerWorker, reportWorker } from '@jobkit/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext, type Actor } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
const as = (actor: Actor | null) => createCaller(createInnerContext({ db, actor }));

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('workers.list', () => {
  it('lists the workers online for admins, with what each runs', async () => {
    await registerWorker(db.pool, { id: 'box-1:42:abc', host: 'box-1', pid: 42, version: '20261202175111_worker_registry', kinds: ['documentAnalysis'], concurrency: 4 });
    await reportWorker(db.pool, 'box-1:42:abc', 2);
    const admin = as({ userId: await createTestUser(db, 'admin'), role: 'admin' });
    const { workers } = await admin.workers.list();
    expect(workers).toEqual([
      expect.objectContaining({ id: 'box-1:42:abc', host: 'box-1', pid: 42, kinds: ['documentAnalysis'], concurrency: 4, runningJobs: 2 }),
    ]);
  });

  it('is for admins only', async () => {
    const user = as({ userId: await createTestUser(db), role: 'user' });
    expect((await errorOf(user.workers.list())).code).toBe('FORBIDDEN');
    expect((await errorOf(as(null).workers.list())).code).toBe('UNAUTHORIZED');
  });
});
