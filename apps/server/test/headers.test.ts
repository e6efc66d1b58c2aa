/**
 * What every answer carries (security headers) and which Origins may post with the session cookie,
 * over real HTTP.
 */
import { createUser } from '@jobkit/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type HttpHarness } from './harness.ts';

let harness: HttpHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

async function sessionCookie(): Promise<string> {
  await createUser(harness.db, { email: 'ada@example.com', name: 'Ada', password: 'correct horse battery' });
  const signIn = await fetch(`${harness.baseUrl}/trpc/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery' }),
  });
  return (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe('posts carrying the session cookie', () => {
  it('are refused with 403 from an Origin that is not this server, or not a URL at all', async () => {
    const cookie = await sessionCookie();
    const host = new URL(harness.baseUrl).host;
    const post = (origin: string) =>
      fetch(`${harness.baseUrl}/trpc/analysis.startDocumentAnalysis`, {
        method: 'POST',
        headers: { cookie, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ input: { text: 'Posted from elsewhere.' } }),
      });
    // `null` is what a sandboxed iframe or a privacy-sensitive redirect sends.
    for (const origin of ['null', `${host}.evil.example`, `http://${host}.evil.example`, 'not a url', 'http://', '*']) {
      const answer = await post(origin);
      expect({ origin, status: answer.status }).toEqual({ origin, status: 403 });
      expect(await answer.json()).toEqual({ error: { message: 'Cross-site request refused.', code: 'FORBIDDEN' } });
    }
    expect(await harness.db.prisma.job.count()).toBe(0);
    expect((await post(`http://${host}`)).status).toBe(200);
  });
});

describe('security headers', () => {
  it('forbid framing, foreign scripts, sniffing and referrers on every answer; no HSTS over plain HTTP', async () => {
    for (const path of ['/healthz', '/trpc/auth.me', '/']) {
      const answer = await fetch(`${harness.baseUrl}${path}`);
      const policy = answer.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).not.toContain('upgrade-insecure-requests');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(answer.headers.get('referrer-policy')).toBe('same-origin');
      expect(answer.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('add HSTS and upgrade-insecure-requests when the server is reached over HTTPS', async () => {
    const secure = await startHarness({}, { secureCookies: true });
    try {
      const answer = await fetch(`${secure.baseUrl}/healthz`);
      expect(answer.headers.get('strict-transport-security')).toBe('max-age=15552000');
      expect(answer.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    } finally {
      await secure.close();
    }
  });
});
