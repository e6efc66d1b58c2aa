import { createUser, defaultApiSettings } from '@jobkit/api';
import { createTestDatabase, type TestDatabase } from '@jobkit/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';
import { createHttpServer } from '../src/http-server.ts';

let db: TestDatabase;
const servers: FastifyInstance[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
// Every request here comes from 127.0.0.1: each test starts with no attempts counted.
beforeEach(async () => {
  await db.pool.query('DELETE FROM sign_in_throttle');
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await db.drop();
});

/** The real HTTP server on the shared database; `trustProxy` as TRUST_PROXY would set it. */
async function serve(trustProxy: boolean): Promise<string> {
  const app = await createHttpServer({ db, settings: defaultApiSettings, secureCookies: false, logLevel: 'silent', trustProxy });
  servers.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

async function signIn(baseUrl: string, email: string, password: string, forwardedFor?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
  const response = await fetch(`${baseUrl}/trpc/auth.signIn`, { method: 'POST', headers, body: JSON.stringify({ email, password }) });
  const body = (await response.json()) as { error?: { message: string } };
  return { status: response.status, message: body.error?.message };
}

const password = 'correct horse battery staple';

describe('sign-in throttling over HTTP', () => {
  it('answers 429 with the wait after a few wrong passwords, from either of two servers sharing the database', async () => {
    const [first, second] = [await serve(false), await serve(false)];
    await createUser(db, { email: 'ada@example.test', name: 'Ada', password });
    const statuses: number[] = [];
    for (let n = 0; n < 20; n++) statuses.push((await signIn(n % 2 ? first : second, 'ada@example.test', 'wrong password')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    expect(await signIn(first, 'ada@example.test', password)).toEqual({
      status: 429,
      message: 'Too many failed sign-ins for this account; try again in 30 seconds.',
    });
  });

  it('counts per client address, believing X-Forwarded-For only when TRUST_PROXY says so', async () => {
    const direct = await serve(false);
    const proxied = await serve(true);
    const guesses = async (baseUrl: string, forwardedFor: (n: number) => string) => {
      const statuses: number[] = [];
      for (let n = 0; n < 31; n++) statuses.push((await signIn(baseUrl, `nobody${String(n)}@example.test`, 'guess', forwardedFor(n))).status);
      return statuses;
    };
    // A client that makes up a new X-Forwarded-For for each guess is still one address here...
    const spoofed = await guesses(direct, (n) => `203.0.113.${String(n)}`);
    expect(spoofed.filter((status) => status === 429)).toHaveLength(1);
    // ...while behind a trusted proxy each forwarded client is counted apart.
    const forwarded = await guesses(proxied, (n) => `198.51.100.${String(n)}`);
    expect(forwarded.filter((status) => status === 429)).toHaveLength(0);
  });
});

describe('TRUST_PROXY', () => {
  it('reads true or false, a hop count, or the proxies’ addresses and CIDRs', () => {
    const trustProxy = (value: string) => readConfig({ TRUST_PROXY: value }).TRUST_PROXY;
    expect(readConfig({}).TRUST_PROXY).toBe(false);
    expect(trustProxy('true')).toBe(true);
    expect(trustProxy('10.0.0.1, 192.168.0.0/16')).toEqual(['10.0.0.1', '192.168.0.0/16']);
    const hops = trustProxy('2');
    if (typeof hops !== 'function') throw new Error(`expected a hop rule, got ${JSON.stringify(hops)}`);
    expect([hops('10.0.0.1', 0), hops('10.0.0.2', 1), hops('10.0.0.3', 2)]).toEqual([true, true, false]);
  });
});
