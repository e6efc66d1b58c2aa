/**
 * Bad-input suite, over real HTTP. Every procedure of the router (listed from the router itself, so
 * a new one is covered without an edit) gets inputs generated from its own zod schema: well-formed
 * ones that reach the database, and hostile ones (NUL, lone surrogates, megabyte strings, 3,000-deep
 * JSON, wrong types, prototype keys) at any depth. Plus credentials that must not work, bodies that
 * are not JSON, unknown procedures, and malformed uploads and downloads on the file routes. Never a 5xx; every refusal a 4xx
 * with a message a person can read that leaks nothing; and refused calls write nothing.
 */
import { storableValue } from '@jobkit/jobs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { malformedFileRequests } from './file-route-inputs.ts';
import { call, startHarness, userWithToken, type CallResult, type HttpHarness } from './harness.ts';
import { everyProcedure, wellFormedInputs } from './procedures.ts';
import { hostileFor } from './schema-arbitrary.ts';
import { seedCallerRows } from './seed.ts';

let harness: HttpHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

// A stack frame, SQL, a path, a driver's words: text only the server's log should hold.
const leaks = [/\n\s+at |prisma|node_modules|\/work\/|ECONN|stack|violates|constraint|syntax error/i, /SELECT .+ FROM|INSERT INTO|UPDATE \w+ SET/];
const errorBody = z.object({ error: z.object({ message: z.string().min(3) }) });

interface Answer extends CallResult {
  what: string;
}

function unreadable(answers: Answer[]): Answer[] {
  return answers.filter((answer) => {
    const parsed = errorBody.safeParse(answer.body);
    return !parsed.success || leaks.some((leak) => leak.test(parsed.data.error.message));
  });
}

function asSentOverJson(value: unknown): unknown {
  const text: unknown = JSON.stringify(value);
  return typeof text === 'string' ? JSON.parse(text) : undefined;
}

const summary = (answers: Answer[]) => answers.map(({ what, status, body }) => ({ what, status, body: JSON.stringify(body).slice(0, 300) }));

async function tableSizes(): Promise<string> {
  const { rows } = await harness.db.pool.query<{ sizes: string }>(
    `SELECT concat_ws(',', (SELECT count(*) FROM job), (SELECT count(*) FROM job_attempt), (SELECT count(*) FROM session),
       (SELECT count(*) FROM api_token), (SELECT count(*) FROM "user"), (SELECT count(*) FROM stored_file),
       (SELECT max(version) FROM job), (SELECT sum(version) FROM job)) AS sizes`,
  );
  return rows[0]?.sizes ?? '';
}

it('answers every generated call with a readable 4xx or a success, and refused calls write nothing', async () => {
  const { baseUrl, db } = harness;
  const user = await userWithToken(db);
  const admin = await userWithToken(db, 'admin');
  const knownIds = [...(await seedCallerRows(baseUrl, user.token)), ...(await seedCallerRows(baseUrl, admin.token))];
  const revoked = await userWithToken(db);
  await db.prisma.apiToken.updateMany({ where: { userId: revoked.userId }, data: { revokedAt: new Date() } });
  const procedures = everyProcedure();
  const before = await tableSizes();

  const refused: Answer[] = [];
  const refusedUnstorable: Answer[] = [];
  const accepted: { what: string; type: 'query' | 'mutation'; token: string; input: unknown }[] = [];
  for (const [index, procedure] of procedures.entries()) {
    const token = procedure.path.startsWith('admin.') && index % 2 === 0 ? admin.token : user.token;
    const wellFormed = wellFormedInputs(procedure, knownIds);
    const samples = [
      ...fc.sample(hostileFor(wellFormed), { numRuns: 140, seed: 12 + index }),
      ...fc.sample(wellFormed, { numRuns: 50, seed: 1200 + index }),
    ];
    // Judged as the server will see it: after the trip through JSON (undefined dropped, -0 → 0...).
    for (const input of samples.map(asSentOverJson)) {
      const storable = storableValue.safeParse(input).success;
      const fitsSchema = procedure.inputs.every((parser) => parser.safeParse(input).success);
      if (storable && fitsSchema) {
        accepted.push({ what: procedure.path, type: procedure.type, token, input });
        continue;
      }
      const answer = { what: procedure.path, ...(await call(baseUrl, procedure.path, procedure.type, { token, input })) };
      refused.push(answer);
      if (!storable && answer.status === 400) refusedUnstorable.push(answer);
    }
  }
  // Credentials that must not work (what an HTTP header can carry: printable ASCII).
  const headerSafe = fc.stringMatching(/^[\x21-\x7e]{0,200}$/);
  for (const badToken of [...fc.sample(headerSafe, { numRuns: 60, seed: 7 }), 'jk_', `jk_${'A'.repeat(43)}`, revoked.token, 'Bearer']) {
    refused.push({ what: 'bad token', ...(await call(baseUrl, 'jobs.listJobs', 'query', { token: badToken, input: {} })) });
  }
  // Bodies that are not JSON at all, and procedures that do not exist.
  for (const rawBody of ['{', '{"input":', '\u0000\u0001', 'null'.repeat(1000), '[1,2,3', '"unterminated', '"\\ud800"', '{"a":"\\u0000"}']) {
    refused.push({ what: 'raw body', ...(await call(baseUrl, 'analysis.startDocumentAnalysis', 'mutation', { token: user.token, rawBody })) });
  }
  for (const procedure of ['analysis.startWebhookDelivery', 'jobs.deleteEverything', 'admin', '__proto__.constructor', 'toString']) {
    refused.push({ what: 'unknown procedure', ...(await call(baseUrl, procedure, 'mutation', { token: user.token, input: {} })) });
  }
  refused.push(...(await malformedFileRequests(baseUrl, user.token)));
  // Everything above was refused, so nothing may have been written.
  expect(summary(refused.filter((answer) => answer.status < 400))).toEqual([]);
  expect(await tableSizes()).toBe(before);

  const served: Answer[] = [];
  for (const { what, type, token, input } of accepted) served.push({ what, ...(await call(baseUrl, what, type, { token, input })) });

  const all = [...refused, ...served];
  const serverErrors = all.filter((answer) => answer.status >= 500);
  console.log(
    `[bad-input] ${all.length} calls over HTTP to ${procedures.length} procedures (every one of the router) + tokens/bodies/unknown/file routes: ` +
      `${refused.length} refused (${refusedUnstorable.length} for NUL or lone surrogates), ${served.length} well-formed; ` +
      `${serverErrors.length} 5xx, ${unreadable(refused).length} unreadable or leaking refusals`,
  );
  expect(all.length).toBeGreaterThanOrEqual(5000);
  expect(summary(serverErrors)).toEqual([]);
  expect(summary(unreadable([...refused, ...served.filter((answer) => answer.status >= 400)]))).toEqual([]);
  // NUL and lone surrogates are refused by name, with the field they were found in.
  expect(refusedUnstorable.length).toBeGreaterThan(100);
  expect(summary(refusedUnstorable.filter((answer) => !/U\+0000|surrogate/.test(JSON.stringify(answer.body))))).toEqual([]);
}, 600_000);

it('refuses NUL and lone surrogates by field name, in inputs and keys, writing nothing', async () => {
  const { baseUrl, db } = harness;
  const user = await userWithToken(db);
  const before = await tableSizes();
  const unstorable = ['a\u0000b', '\uD800', 'x\uDFFF'];
  const answers: Answer[] = [];
  for (const text of unstorable) {
    answers.push({ what: 'start', ...(await call(baseUrl, 'analysis.startDocumentAnalysis', 'mutation', { token: user.token, input: { input: { text } } })) });
    answers.push({ what: 'tracked', ...(await call(baseUrl, 'jobs.createTracked', 'mutation', { token: user.token, input: { message: 'ok', metadata: { [text]: 1 } } })) });
    answers.push({ what: 'token', ...(await call(baseUrl, 'tokens.create', 'mutation', { token: user.token, input: { name: text } })) });
  }
  expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 400));
  expect(JSON.stringify(answers[0]?.body)).toContain('input.text: Text must not contain the NUL character (U+0000)');
  expect(await tableSizes()).toBe(before);
});
