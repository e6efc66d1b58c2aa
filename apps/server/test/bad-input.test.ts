/**
 * Bad-input suite: generated malformed requests to every procedure over real HTTP (wrong types,
 * huge strings, deep JSON, unicode edge cases, unknown kinds, forged ids, bad and revoked tokens,
 * bodies that are not JSON). Every answer must be a 4xx with a message a person can read, never a
 * 5xx or a leak of internals, and the database must not change.
 */
import { documentAnalysis, trackedJob } from '@jobkit/jobs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { call, startHarness, userWithToken, type CallResult, type HttpHarness } from './harness.ts';

let harness: HttpHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const unicodeEdges = ['\uD800', '\uDFFF', '\u0000', '\u202E', '\uFEFF', '\u200B'.repeat(1000), '👩‍👩‍👧‍👦'.repeat(500), 'e\u0301'.repeat(100)];
const strings = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(...unicodeEdges),
  fc.integer({ min: 200_001, max: 5_000_000 }).map((length) => 'x'.repeat(length)),
);
const deepJson = fc.integer({ min: 50, max: 2000 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { nested: value };
  return value;
});
const junk = fc.oneof(fc.anything({ maxDepth: 3 }), strings, deepJson, fc.constant(null));
const forgedIds = fc.oneof(fc.uuid(), strings, fc.integer(), fc.constant('00000000-0000-0000-0000-000000000000'));

// A start input that happens to be valid would rightly be accepted: those are filtered out.
const validStart = z.object({ input: documentAnalysis.input }).loose();
const validTokenName = z.object({ name: z.string().trim().min(1).max(100) }).loose();

interface Case {
  procedure: string;
  type: 'query' | 'mutation';
  input: fc.Arbitrary<unknown>;
}

const cases: Case[] = [
  {
    procedure: 'analysis.startDocumentAnalysis',
    type: 'mutation',
    input: fc
      .oneof(
        junk,
        fc.record({ input: fc.oneof(junk, fc.record({ text: junk, title: junk, summarySentences: junk })) }),
        fc.record({ input: fc.record({ text: fc.string({ minLength: 1 }) }), runAt: junk, priority: junk, webhookUrl: junk, idempotencyKey: junk }),
      )
      .filter((value) => !validStart.safeParse(value).success),
  },
  {
    procedure: 'analysis.startMany',
    type: 'mutation',
    input: fc.oneof(
      junk,
      fc.record({ jobs: fc.oneof(junk, fc.array(fc.record({ kind: fc.oneof(strings, fc.constant('webhookDelivery')), input: junk }), { maxLength: 20 })) }),
      fc.record({ jobs: fc.constant(Array.from({ length: 1001 }, () => ({ kind: 'documentAnalysis', input: { text: 'x' } }))) }),
    ),
  },
  { procedure: 'jobs.getJob', type: 'query', input: fc.oneof(junk, fc.record({ jobId: forgedIds })) },
  {
    procedure: 'jobs.listJobs',
    type: 'query',
    input: fc.oneof(
      fc.record({ status: strings, kind: fc.oneof(strings, fc.constant('webhookDeliveryX')) }),
      fc.record({ limit: fc.oneof(fc.integer({ min: 101 }), fc.integer({ max: 0 }), fc.double(), strings) }),
      fc.record({ cursor: fc.oneof(strings, fc.integer()) }),
      fc.anything({ maxDepth: 2 }).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
    ),
  },
  { procedure: 'jobs.cancelJob', type: 'mutation', input: fc.oneof(junk, fc.record({ jobId: forgedIds })) },
  { procedure: 'jobs.retryJob', type: 'mutation', input: fc.oneof(junk, fc.record({ jobId: forgedIds })) },
  { procedure: 'auth.signIn', type: 'mutation', input: fc.oneof(junk, fc.record({ email: fc.oneof(strings, fc.emailAddress()), password: junk })) },
  {
    procedure: 'tokens.create',
    type: 'mutation',
    input: fc.oneof(junk, fc.record({ name: junk })).filter((value) => !validTokenName.safeParse(value).success),
  },
  { procedure: 'tokens.revoke', type: 'mutation', input: fc.oneof(junk, fc.record({ id: forgedIds })) },
  {
    procedure: 'jobs.createTracked',
    type: 'mutation',
    input: fc.oneof(junk, fc.record({ message: junk, metadata: junk })).filter((value) => !trackedJob.input.safeParse(value).success),
  },
  { procedure: 'jobs.reportProgress', type: 'mutation', input: fc.oneof(junk, fc.record({ jobId: forgedIds, percent: junk, data: junk })) },
  { procedure: 'jobs.complete', type: 'mutation', input: fc.oneof(junk, fc.record({ jobId: forgedIds, result: junk })) },
  { procedure: 'jobs.fail', type: 'mutation', input: fc.oneof(junk, fc.record({ jobId: forgedIds, code: junk, message: junk })) },
];

const leaks = /\n\s+at |SELECT |INSERT |UPDATE |prisma|node_modules|\/work\/|ECONN|stack/i;
const errorBody = z.object({ error: z.object({ message: z.string().min(3) }) });

async function tableSizes(): Promise<string> {
  const { rows } = await harness.db.pool.query<{ sizes: string }>(
    `SELECT concat_ws(',', (SELECT count(*) FROM job), (SELECT count(*) FROM job_attempt), (SELECT count(*) FROM session),
       (SELECT count(*) FROM api_token), (SELECT count(*) FROM "user"), (SELECT max(version) FROM job)) AS sizes`,
  );
  return rows[0]?.sizes ?? '';
}

it('answers every malformed request with a readable 4xx and writes nothing', async () => {
  const { baseUrl, db } = harness;
  const { token } = await userWithToken(db);
  const revoked = await userWithToken(db);
  await db.prisma.apiToken.updateMany({ where: { userId: revoked.userId }, data: { revokedAt: new Date() } });
  const before = await tableSizes();
  const answers: (CallResult & { what: string })[] = [];

  for (const { procedure, type, input } of cases) {
    for (const value of fc.sample(input, { numRuns: 80, seed: 42 })) {
      answers.push({ what: procedure, ...(await call(baseUrl, procedure, type, { token, input: value })) });
    }
  }
  // Credentials that must not work, on a procedure that needs one.
  // (Only what an HTTP header can carry: printable ASCII.)
  const headerSafe = fc.stringMatching(/^[\x21-\x7e]{0,200}$/);
  const badTokens = [...fc.sample(headerSafe, { numRuns: 60, seed: 7 }), 'jk_', `jk_${'A'.repeat(43)}`, revoked.token, 'Bearer'];
  for (const badToken of badTokens) {
    answers.push({ what: 'bad token', ...(await call(baseUrl, 'jobs.listJobs', 'query', { token: badToken, input: {} })) });
  }
  // Bodies that are not JSON at all, and procedures that do not exist.
  for (const rawBody of ['{', '{"input":', '\u0000\u0001', 'null'.repeat(1000), '[1,2,3', '"unterminated']) {
    answers.push({ what: 'raw body', ...(await call(baseUrl, 'analysis.startDocumentAnalysis', 'mutation', { token, rawBody })) });
  }
  for (const procedure of ['analysis.startWebhookDelivery', 'jobs.deleteEverything', 'admin', '__proto__.constructor']) {
    answers.push({ what: 'unknown procedure', ...(await call(baseUrl, procedure, 'mutation', { token, input: {} })) });
  }

  const serverErrors = answers.filter((answer) => answer.status >= 500);
  const notClientErrors = answers.filter((answer) => answer.status < 400 || answer.status >= 500);
  const unreadable = answers.filter((answer) => {
    const parsed = errorBody.safeParse(answer.body);
    return !parsed.success || leaks.test(parsed.data.error.message);
  });
  console.log(
    `[bad-input] ${answers.length} malformed calls over HTTP to ${cases.length} procedures + auth/raw/unknown: ` +
      `${serverErrors.length} 5xx, ${notClientErrors.length} not 4xx, ${unreadable.length} unreadable or leaking`,
  );
  expect(unreadable.map(({ what, body }) => ({ what, body: JSON.stringify(body).slice(0, 300) }))).toEqual([]);
  expect(answers.length).toBeGreaterThanOrEqual(1000);
  expect(notClientErrors.map(({ what, status, body }) => ({ what, status, body: JSON.stringify(body).slice(0, 300) }))).toEqual([]);
  expect(unreadable.map(({ what, body }) => ({ what, body: JSON.stringify(body).slice(0, 300) }))).toEqual([]);
  expect(await tableSizes()).toBe(before);
}, 300_000);
