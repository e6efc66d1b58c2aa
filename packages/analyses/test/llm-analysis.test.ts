import { llmAnalysis } from '../src/contracts/index.ts';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { llmAnalysisHandler } from '../src/handlers/llm-analysis.ts';
import { runHandler } from '@jobkit/worker/testing';

// A local stand-in for an OpenAI-compatible provider: it records each request and answers what
// the test sets. No real provider is ever called.
let server: Server;
let answer: { status: number; body: unknown };
const requests: { path: string; headers: IncomingHttpHeaders; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(body) });
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  Object.assign(process.env, { LLM_BASE_URL: `http://127.0.0.1:${address.port}/v1/`, LLM_API_KEY: 'test-key', LLM_MODEL: 'tiny-model' });
});
afterAll(() => {
  server.close();
  for (const name of ['LLM_BASE_URL', 'LLM_API_KEY', 'LLM_MODEL']) Reflect.deleteProperty(process.env, name);
});
beforeEach(() => {
  requests.length = 0;
});

const findings = { summary: 'A short contract.', keyPoints: ['Pay quarterly'], topics: ['fees'], sentiment: 'neutral' };

function completion(content: string) {
  return { status: 200, body: { model: 'tiny-model-2026', choices: [{ message: { role: 'assistant', content } }] } };
}

async function analyse() {
  return runHandler(llmAnalysisHandler, { title: 'Contract', text: 'The customer pays every quarter.' });
}

describe('LLM analysis', () => {
  it('asks for structured output and returns the findings the model gave', async () => {
    answer = completion(JSON.stringify(findings));
    expect(llmAnalysis.output.parse(await analyse())).toEqual({ ...findings, model: 'tiny-model-2026' });
    const [request] = requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer test-key');
    const body = z
      .object({
        model: z.string(),
        messages: z.array(z.object({ role: z.string(), content: z.string() })),
        response_format: z.object({ type: z.literal('json_schema'), json_schema: z.object({ strict: z.literal(true), schema: z.object({ required: z.array(z.string()) }) }) }),
      })
      .parse(request?.body);
    expect(body.model).toBe('tiny-model');
    expect(body.messages[1]?.content).toBe('Title: Contract\n\nThe customer pays every quarter.');
    expect(body.response_format.json_schema.schema.required).toEqual(['summary', 'keyPoints', 'topics', 'sentiment']);
  });

  it('says whether a failure is worth retrying', async () => {
    answer = { status: 503, body: { error: 'overloaded' } };
    await expect(analyse()).rejects.toMatchObject({ code: 'LLM_BUSY', retryable: true });
    answer = { status: 401, body: { error: 'bad key' } };
    await expect(analyse()).rejects.toMatchObject({ code: 'LLM_REJECTED', retryable: false, message: 'The language model answered HTTP 401.' });
    answer = completion('Sure! Here is a summary: it is a contract.');
    await expect(analyse()).rejects.toMatchObject({ code: 'LLM_BAD_ANSWER', retryable: true });
  });

  it('refuses to run where no model is configured', async () => {
    const saved = process.env.LLM_MODEL;
    Reflect.deleteProperty(process.env, 'LLM_MODEL');
    await expect(analyse()).rejects.toMatchObject({ code: 'LLM_NOT_CONFIGURED', retryable: false });
    process.env.LLM_MODEL = saved;
    expect(requests).toHaveLength(0);
  });
});
