import { defineJob, type JobContract } from '@jobkit/contract';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { enqueueWithin, InvalidJobInput, listenForJobs } from '../src/index.ts';

// Version and attempts other than the defaults, so the test sees they come from the contract.
const orderReport = defineJob({
  kind: 'orderReport',
  version: 3,
  title: 'Order report',
  input: z.object({ orderId: z.uuid(), note: z.string().trim().max(40), sheetId: z.uuid().optional() }),
  previous: { 1: z.object({}), 2: z.object({}) },
  upcast: { 1: () => ({}), 2: () => ({ orderId: randomUUID(), note: '' }) },
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 5_000,
  maxAttempts: 4,
  fileInputs: { sheetId: ['csv'] },
});

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

function newUser() {
  const id = randomUUID();
  return { id, email: `${id}@test.invalid`, name: 'Order placer' };
}

async function stored(userId: string) {
  const user = await db.prisma.user.findUnique({ where: { id: userId } });
  const jobs = await db.prisma.job.findMany({ where: { ownerId: userId }, select: { kind: true, payloadVersion: true, maxAttempts: true, input: true } });
  return { user: user !== null, jobs };
}

/** A team's own transaction on a pg client: BEGIN, `work`, then COMMIT or (when it throws) ROLLBACK. */
async function inPgTransaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function insertUser(client: pg.ClientBase, user: ReturnType<typeof newUser>): Promise<void> {
  await client.query('INSERT INTO "user" (id, email, name) VALUES ($1, $2, $3)', [user.id, user.email, user.name]);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 200) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const orderId = randomUUID();
const storedJob = { kind: 'orderReport', payloadVersion: 3, maxAttempts: 4, input: { orderId, note: 'rush' } };

describe('enqueueWithin a Prisma interactive transaction', () => {
  it('stores the caller’s row and the job together on commit, as the contract says', async () => {
    const user = newUser();
    const job = await db.prisma.$transaction(async (tx) => {
      await tx.user.create({ data: user });
      return enqueueWithin(tx, orderReport, { orderId, note: '  rush ' }, { ownerId: user.id });
    });
    expect(job).toMatchObject({ kind: 'orderReport', status: 'queued', created: true });
    // Stored as parsed (trimmed), with the contract's version and attempts.
    expect(await stored(user.id)).toEqual({ user: true, jobs: [storedJob] });
  });

  it('stores neither when the transaction throws after the enqueue', async () => {
    const user = newUser();
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.user.create({ data: user });
        await enqueueWithin(tx, orderReport, { orderId, note: 'rush' }, { ownerId: user.id });
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    expect(await stored(user.id)).toEqual({ user: false, jobs: [] });
  });

  it('refuses invalid input with a clear error before writing, and the transaction goes on', async () => {
    const user = newUser();
    await db.prisma.$transaction(async (tx) => {
      await tx.user.create({ data: user });
      // As a caller without types sees it (JavaScript, or data from elsewhere): who the check is for.
      const refused = (input: unknown) => enqueueWithin<JobContract>(tx, orderReport, input, { ownerId: user.id });
      await expect(refused({ orderId: 'not-a-uuid', note: 'x' })).rejects.toThrow(/Invalid input for a orderReport job: orderId: Invalid UUID/);
      await expect(refused({ orderId, note: 'nul \u0000 inside' })).rejects.toThrow(InvalidJobInput);
      await expect(refused({ orderId, note: 'x', sheetId: randomUUID() })).rejects.toThrow(/sheetId: no uploaded file/);
      await expect(enqueueWithin(tx, orderReport, { orderId, note: 'x' }, { ownerId: user.id, webhookEndpointId: randomUUID() })).rejects.toThrow(
        /webhookEndpointId: no webhook endpoint/,
      );
    });
    expect(await stored(user.id)).toEqual({ user: true, jobs: [] });
  });

  it('links an input file of the owner and refuses one of another owner or of a type the kind does not read', async () => {
    const [owner, stranger] = [await createTestUser(db), await createTestUser(db)];
    const file = async (ownerId: string, contentType: string) => {
      const id = randomUUID();
      await db.pool.query(`INSERT INTO stored_file (id, owner_id, name, content_type, size, sha256) VALUES ($1, $2, 'f', $3, 0, '')`, [id, ownerId, contentType]);
      return id;
    };
    const [own, foreign, pdf] = [await file(owner, 'text/csv'), await file(stranger, 'text/csv'), await file(owner, 'application/pdf')];
    const job = await db.prisma.$transaction(async (tx) => {
      await expect(enqueueWithin(tx, orderReport, { orderId, note: '', sheetId: foreign }, { ownerId: owner })).rejects.toThrow(/no uploaded file/);
      await expect(enqueueWithin(tx, orderReport, { orderId, note: '', sheetId: pdf }, { ownerId: owner })).rejects.toThrow(/is application\/pdf; orderReport reads csv/);
      return enqueueWithin(tx, orderReport, { orderId, note: '', sheetId: own }, { ownerId: owner });
    });
    expect(await db.prisma.jobFile.findMany({ where: { jobId: job.id }, select: { fileId: true, role: true } })).toEqual([{ fileId: own, role: 'input' }]);
  });

  it('stores notifyByEmail, off unless asked', async () => {
    const owner = await createTestUser(db);
    const [asked, notAsked] = await db.prisma.$transaction(async (tx) => [
      await enqueueWithin(tx, orderReport, { orderId, note: '' }, { ownerId: owner, notifyByEmail: true }),
      await enqueueWithin(tx, orderReport, { orderId, note: '' }, { ownerId: owner }),
    ]);
    const flags = await db.prisma.job.findMany({ where: { id: { in: [asked.id, notAsked.id] } }, select: { id: true, notifyByEmail: true } });
    expect(new Map(flags.map((row) => [row.id, row.notifyByEmail]))).toEqual(new Map([[asked.id, true], [notAsked.id, false]]));
  });
});

describe('enqueueWithin a pg client transaction', () => {
  it('stores both on COMMIT and neither on ROLLBACK', async () => {
    const [kept, dropped] = [newUser(), newUser()];
    await inPgTransaction(async (client) => {
      await insertUser(client, kept);
      await enqueueWithin(client, orderReport, { orderId, note: 'rush' }, { ownerId: kept.id });
    });
    await expect(
      inPgTransaction(async (client) => {
        await insertUser(client, dropped);
        await enqueueWithin(client, orderReport, { orderId, note: 'rush' }, { ownerId: dropped.id });
        throw new Error('out of stock');
      }),
    ).rejects.toThrow('out of stock');
    expect(await stored(kept.id)).toEqual({ user: true, jobs: [storedJob] });
    expect(await stored(dropped.id)).toEqual({ user: false, jobs: [] });
  });

  it('wakes listening workers when the transaction commits, not before', async () => {
    const heard: string[] = [];
    const listener = listenForJobs(db.listenUrl, { onJob: (kind) => heard.push(kind), onCancel: () => undefined }, { log: () => undefined });
    await listener.ready;
    try {
      const user = newUser();
      await inPgTransaction(async (client) => {
        await insertUser(client, user);
        await enqueueWithin(client, orderReport, { orderId, note: 'rush' }, { ownerId: user.id });
        // Notifications arrive in commit order: once this later one is heard, the enqueue's would have been.
        await db.pool.query(`SELECT pg_notify('jobkit_jobs', 'marker')`);
        await until(() => heard.includes('marker'), 'the marker notification arrives');
        expect(heard).not.toContain('orderReport');
      });
      await until(() => heard.includes('orderReport'), 'the committed job is announced');
    } finally {
      await listener.close();
    }
  });
});
