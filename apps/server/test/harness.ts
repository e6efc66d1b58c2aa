import { createApiToken, defaultApiSettings, type ApiSettings } from '@jobkit/api';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createHttpServer } from '../src/http-server.ts';

export interface HttpHarness {
  db: TestDatabase;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real HTTP server on a fresh database, listening on a free loopback port. */
export async function startHarness(
  settings: Partial<ApiSettings> = {},
  server: { secureCookies?: boolean } = {},
): Promise<HttpHarness> {
  const db = await createTestDatabase();
  const app: FastifyInstance = await createHttpServer({
    db,
    settings: { ...defaultApiSettings, maxStartsPerMinute: 10_000, maxActiveJobsPerUser: 10_000, ...settings },
    secureCookies: server.secureCookies ?? false,
    logLevel: 'silent',
  });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    db,
    baseUrl,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** A user of the given role with an API token, as a program would call the API. */
export async function userWithToken(db: TestDatabase, role: 'user' | 'admin' = 'user') {
  const userId = await createTestUser(db, role);
  const { token } = await createApiToken(db, userId, `${role} token`);
  return { userId, token };
}

const startAnswer = z.object({ result: z.object({ data: z.object({ jobId: z.string() }) }) });

/** Starts a document analysis over HTTP as `token`'s user; its job id. */
export async function startDocumentJob(baseUrl: string, token: string, text = 'Watched over HTTP.'): Promise<string> {
  const response = await fetch(`${baseUrl}/trpc/analysis.startDocumentAnalysis`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ input: { text } }),
  });
  return startAnswer.parse(await response.json()).result.data.jobId;
}

export interface CallResult {
  status: number;
  body: unknown;
}

/** One raw tRPC call over HTTP (no client library), so any input at all can be sent. */
export async function call(
  baseUrl: string,
  procedure: string,
  type: 'query' | 'mutation',
  options: { token?: string; input?: unknown; rawBody?: string } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response =
    type === 'query'
      ? await fetch(
          `${baseUrl}/trpc/${procedure}${options.input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(options.input))}`}`,
          { headers },
        )
      : await fetch(`${baseUrl}/trpc/${procedure}`, {
          method: 'POST',
          headers,
          body: options.rawBody ?? JSON.stringify(options.input),
        });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text, the assertions say what they expect.
  }
  return { status: response.status, body };
}
