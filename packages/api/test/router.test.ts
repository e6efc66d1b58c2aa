import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
let alice: ReturnType<typeof createCaller>;
let bob: ReturnType<typeof createCaller>;
let anonymous: ReturnType<typeof createCaller>;

beforeAll(async () => {
  db = await createTestDatabase();
  const [aliceId, bobId] = [await createTestUser(db), await createTestUser(db)];
  alice = createCaller(createInnerContext({ db, actor: { userId: aliceId, role: 'user' } }));
  bob = createCaller(createInnerContext({ db, actor: { userId: bobId, role: 'user' } }));
  anonymous = createCaller(createInnerContext({ db, actor: null }));
});
afterAll(() => db.drop());


describe('analysis.startDocumentAnalysis', () => {
  it('stores a queued job at once and returns its id', async () => {
    const started = await alice.analysis.startDocumentAnalysis({ input: { text: 'One. Two.' } });
    expect(started).toMatchObject({ status: 'queued', created: true });
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: started.jobId } });
    expect(row).toMatchObject({ kind: 'documentAnalysis', status: 'queued', input: { text: 'One. Two.', summarySentences: 3 } });
  });

  it('rejects bad input with BAD_REQUEST and the field that is wrong, writing nothing', async () => {
    const before = await db.prisma.job.count();
    const error = await errorOf(alice.analysis.startDocumentAnalysis({ input: { text: '   ' } }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(await db.prisma.job.count()).toBe(before);
  });

  it('returns the first job again for a repeated idempotency key', async () => {
    const first = await alice.analysis.startDocumentAnalysis({ input: { text: 'Same.' }, idempotencyKey: 'k1' });
    const second = await alice.analysis.startDocumentAnalysis({ input: { text: 'Same.' }, idempotencyKey: 'k1' });
    expect(second).toEqual({ ...first, created: false });
  });

  it('requires a caller', async () => {
    expect((await errorOf(anonymous.analysis.startDocumentAnalysis({ input: { text: 'x' } }))).code).toBe('UNAUTHORIZED');
  });
});

describe('analysis.startCallTranscriptAnalysis', () => {
  it('stores a transcript job with its format defaulted, and rejects an empty transcript', async () => {
    const { jobId } = await alice.analysis.startCallTranscriptAnalysis({ input: { transcript: 'Ann: Hello?' } });
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(row).toMatchObject({ kind: 'callTranscriptAnalysis', input: { transcript: 'Ann: Hello?', format: 'auto' } });
    const error = await errorOf(alice.analysis.startCallTranscriptAnalysis({ input: { transcript: ' ' } }));
    expect(error.code).toBe('BAD_REQUEST');
  });
});

describe('analysis.startLlmAnalysis', () => {
  it('is refused with the reason where no model is configured, and offered where one is', async () => {
    const error = await errorOf(alice.analysis.startLlmAnalysis({ input: { text: 'Read me.' } }));
    expect([error.code, error.message]).toEqual([
      'PRECONDITION_FAILED',
      'LLM analysis is not available on this server: it has no language model configured (LLM_BASE_URL, LLM_API_KEY, LLM_MODEL).',
    ]);
    expect((await alice.analysis.kinds()).find((kind) => kind.kind === 'llmAnalysis')?.unavailable).toMatch(/not available/);
    const userId = (await db.prisma.user.findFirstOrThrow()).id;
    const configured = createCaller(createInnerContext({ db, actor: { userId, role: 'user' }, settings: { llmEnabled: true } }));
    expect((await configured.analysis.kinds()).every((kind) => kind.unavailable === null)).toBe(true);
    expect((await configured.analysis.startLlmAnalysis({ input: { text: 'Read me.' } })).status).toBe('queued');
  });
});

describe('jobs.getJob', () => {
  it('returns the typed snapshot of the caller’s job', async () => {
    const { jobId } = await alice.analysis.startDocumentAnalysis({ input: { text: 'Hello there. General Kenobi.' } });
    const job = await alice.jobs.getJob({ jobId });
    expect(job).toMatchObject({
      id: jobId,
      kind: 'documentAnalysis',
      status: 'queued',
      progress: 0,
      result: null,
      error: null,
      attempt: 0,
      maxAttempts: 3,
      cancelRequested: false,
      version: 1,
    });
    expect(Date.parse(job.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers NOT_FOUND for an unknown id and for another user’s job alike', async () => {
    const { jobId } = await alice.analysis.startDocumentAnalysis({ input: { text: 'Private.' } });
    const unknown = await errorOf(alice.jobs.getJob({ jobId: '0199c1d2-7f3e-7a10-9c4b-2f1e0d3c4b5a' }));
    const foreign = await errorOf(bob.jobs.getJob({ jobId }));
    expect([unknown.code, foreign.code]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });

  it('answers BAD_REQUEST for an id that is not a UUID', async () => {
    const error = await errorOf(alice.jobs.getJob({ jobId: 'job-1' }));
    expect(error.code).toBe('BAD_REQUEST');
  });
});

describe('jobs.listJobs', () => {
  it('pages through the caller’s jobs newest first, filtered by status and kind', async () => {
    const carol = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push((await carol.analysis.startDocumentAnalysis({ input: { text: `Doc ${n}.` } })).jobId);
    await db.pool.query(`UPDATE job SET status = 'completed' WHERE id = $1`, [ids[0]]);

    const first = await carol.jobs.listJobs({ limit: 2 });
    const second = await carol.jobs.listJobs({ limit: 2, cursor: first.nextCursor ?? undefined });
    const third = await carol.jobs.listJobs({ limit: 2, cursor: second.nextCursor ?? undefined });
    expect([...first.items, ...second.items, ...third.items].map((job) => job.id)).toEqual([...ids].reverse());
    expect(third.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({ title: 'Document analysis', status: 'queued' });

    const queued = await carol.jobs.listJobs({ status: 'queued', kind: 'documentAnalysis' });
    expect(queued.items.map((job) => job.id)).toEqual(ids.slice(1).reverse());
    expect((await errorOf(carol.jobs.listJobs({ kind: 'nope' }))).code).toBe('BAD_REQUEST');
  });
});
