/**
 * /openapi.json as a team outside TypeScript uses it: a valid OpenAPI 3.1 document, the same as
 * the checked-in docs/openapi.json, and true of the server. Each public procedure is called the
 * way a generated client calls it (POST of the JSON input to the documented path), and every
 * answer, success or refusal, is validated against the document's own schema for it.
 */
import { validate, compileErrors } from '@readme/openapi-parser';
import { claimJobs } from '@jobkit/queue';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startHarness, userWithToken, type HttpHarness } from './harness.ts';

let harness: HttpHarness;
let token: string;
let served: string;
/** Refs in the document (`#/components/schemas/...`) resolve against this id. */
const documentId = 'https://jobkit.invalid/openapi.json';
// Not strict: the document holds OpenAPI's own keywords around its JSON Schemas.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  harness = await startHarness();
  ({ token } = await userWithToken(harness.db));
  served = await (await fetch(`${harness.baseUrl}/openapi.json`)).text();
  ajv.addSchema({ ...z.record(z.string(), z.unknown()).parse(JSON.parse(served)), $id: documentId });
});
afterAll(() => harness.close());

/** The document's JSON Schema at a JSON pointer (`/` and `~` escaped as JSON pointers want). */
function schemaAt(...segments: string[]) {
  const pointer = segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
  const check = ajv.getSchema(`${documentId}#/${pointer}`);
  if (!check) throw new Error(`The document has no schema at ${pointer}`);
  return check;
}

/** Calls `path` as a generated client does, checks the request and the answer against the document. */
async function call(path: string, input: unknown): Promise<{ status: number; data: unknown }> {
  const requestSchema = schemaAt('paths', `/${path}`, 'post', 'requestBody', 'content', 'application/json', 'schema');
  expect(requestSchema(input), `${path} request: ${ajv.errorsText(requestSchema.errors)}`).toBe(true);
  const response = await fetch(`${harness.baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  const body: unknown = await response.json();
  const answer = schemaAt('paths', `/${path}`, 'post', 'responses', response.ok ? '200' : 'default', 'content', 'application/json', 'schema');
  expect(answer(body), `${path} answered ${response.status}: ${ajv.errorsText(answer.errors)}\n${JSON.stringify(body)}`).toBe(true);
  const data = z.object({ result: z.object({ data: z.unknown() }) }).safeParse(body);
  return { status: response.status, data: data.success ? data.data.result.data : body };
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, the one checked in as docs/openapi.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobkit-openapi-'));
    try {
      await writeFile(join(dir, 'openapi.json'), served);
      const result = await validate(join(dir, 'openapi.json'));
      expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const checkedIn: unknown = JSON.parse(await readFile(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'));
    // When this fails: `npx -y pnpm@10.34.8 openapi` writes the file anew.
    expect(checkedIn).toEqual(JSON.parse(served));
  });

  it('describes what the server answers: a start, a poll, a list, a cancel, a retry, and refusals', async () => {
    const started = await call('analysis.startDocumentAnalysis', { input: { text: 'Described by the document.' } });
    const { jobId } = z.object({ jobId: z.uuid() }).parse(started.data);
    const job = z.object({ version: z.int() }).parse((await call('jobs.getJob', { jobId })).data);
    expect((await call('jobs.pollJob', { jobId, knownVersion: job.version })).data).toEqual({ changed: false, version: job.version });
    await claimJobs(harness.db.pool, { workerId: 'openapi-test', kinds: ['documentAnalysis'], limit: 1, leaseMs: 60_000 });
    expect((await call('jobs.pollJob', { jobId, knownVersion: job.version })).data).toMatchObject({ changed: true });
    expect((await call('jobs.listJobs', { limit: 5 })).status).toBe(200);
    expect((await call('jobs.cancelJob', { jobId })).data).toEqual({ jobId, status: 'running', cancelRequested: true });
    const batch = z.object({ jobs: z.tuple([z.object({ jobId: z.uuid() })]) }).parse((await call('analysis.startMany', { jobs: [{ kind: 'documentAnalysis', input: { text: 'Two.' } }] })).data);
    const [queued] = batch.jobs;
    expect((await call('jobs.cancelJob', { jobId: queued.jobId })).data).toEqual({ jobId: queued.jobId, status: 'cancelled' });
    expect((await call('jobs.retryJob', { jobId: queued.jobId })).data).toEqual({ jobId: queued.jobId, status: 'queued' });

    const refused = await call('analysis.startDocumentAnalysis', { input: { text: '' } });
    expect(refused.status).toBe(400);
    expect((await call('jobs.getJob', { jobId: '0199c1d2-7f3e-7a10-9c4b-2f1e0d3c4b5a' })).status).toBe(404);
  });

  it('describes a tracked job from creation to completion', async () => {
    const created = await call('jobs.createTracked', { message: 'An export elsewhere' });
    const { jobId } = z.object({ jobId: z.uuid() }).parse(created.data);
    expect((await call('jobs.reportProgress', { jobId, percent: 50, message: 'Half' })).data).toEqual({ jobId, cancelRequested: false });
    expect((await call('jobs.complete', { jobId, result: { summary: 'Exported' } })).status).toBe(200);
    expect((await call('jobs.getJob', { jobId })).data).toMatchObject({ status: 'completed' });
  });
});
