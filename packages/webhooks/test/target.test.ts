import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { webhookEnvironmentShape } from '../src/environment.ts';
import { checkWebhookTarget, emptyAllowList, parseWebhookAllowList, type ResolveHost } from '../src/target.ts';

/** A DNS that knows a few names; any other name does not exist. */
const fakeDns: ResolveHost = (hostname) => {
  const answers: Record<string, string[]> = {
    localhost: ['127.0.0.1'],
    'loopback.example.test': ['127.0.0.1'],
    'public.example.test': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'mixed.example.test': ['93.184.215.14', '192.168.1.20'],
    'hooks.intranet': ['10.20.0.5'],
    'odd.example.test': ['1.2.3'],
  };
  const found = answers[hostname];
  return found ? Promise.resolve(found) : Promise.reject(new Error(`ENOTFOUND ${hostname}`));
};

async function reasonFor(url: string, allow = emptyAllowList): Promise<string> {
  const check = await checkWebhookTarget(url, { allow, resolve: fakeDns });
  return check.ok ? 'allowed' : check.reason;
}

describe('checkWebhookTarget', () => {
  it.each([
    ['http://127.0.0.1/', /is a loopback address/],
    ['http://[::1]/', /is a loopback address/],
    ['http://localhost:8080/', /host localhost names this machine/],
    ['http://LOCALHOST./', /host localhost names this machine/],
    ['http://api.localhost/', /names this machine/],
    ['http://2130706433/', /is a loopback address/],
    ['http://0x7f.1/', /is a loopback address/],
    ['http://017700000001/', /is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /is a link-local address/],
    ['http://10.0.0.1/', /is a private \(RFC 1918\) address/],
    ['http://172.16.5.4/', /private/],
    ['http://192.168.0.1/', /private/],
    ['http://[fd00::1]/', /is a unique-local address/],
    ['http://[fe80::1]/', /is a link-local address/],
    ['http://100.64.0.1/', /carrier-grade NAT/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://240.0.0.1/', /reserved/],
    ['http://192.0.2.10/', /reserved/],
    ['http://[2001:db8::1]/', /reserved/],
    ['http://[::ffff:127.0.0.1]/', /is a loopback address/],
    ['http://[::ffff:169.254.169.254]/', /link-local/],
    ['http://[::127.0.0.1]/', /IPv4-compatible/],
    ['http://[64:ff9b::a00:1]/', /reserved or special-purpose/],
    ['http://loopback.example.test/', /resolves to a loopback address/],
    ['http://mixed.example.test/', /resolves to a private/],
    ['http://odd.example.test/', /resolves to something that is not an IP address/],
    ['ftp://public.example.test/', /must start with http:\/\/ or https:\/\//],
    ['http://user:pass@public.example.test/', /must not carry a user name or password/],
    ['not a url', /not a valid URL/],
  ])('refuses %s, saying why', async (url, why) => {
    expect(await reasonFor(url)).toMatch(why);
  });

  it('allows public hosts and pins the first address', async () => {
    const check = await checkWebhookTarget('https://public.example.test/hooks?a=1', { allow: emptyAllowList, resolve: fakeDns });
    expect(check).toMatchObject({ ok: true, target: { hostname: 'public.example.test', address: '93.184.215.14', family: 4 } });
    expect(await reasonFor('http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/')).toBe('allowed');
  });

  it('tells an unresolvable host from a refused one', async () => {
    expect(await checkWebhookTarget('http://nowhere.example.test/', { allow: emptyAllowList, resolve: fakeDns })).toEqual({
      ok: false,
      refused: false,
      reason: "The webhook URL's host nowhere.example.test could not be resolved.",
    });
  });

  it('lets JOBKIT_WEBHOOK_ALLOW through: host names whatever they resolve to, CIDRs by address', async () => {
    const allow = parseWebhookAllowList(' hooks.intranet, 127.0.0.0/8 ,fd00::/8,192.168.1.20');
    expect(await reasonFor('http://hooks.intranet/', allow)).toBe('allowed');
    expect(await reasonFor('http://127.0.0.1:9000/', allow)).toBe('allowed');
    expect(await reasonFor('http://[fd00::1]/', allow)).toBe('allowed');
    expect(await reasonFor('http://mixed.example.test/', allow)).toBe('allowed');
    expect(await reasonFor('http://10.0.0.1/', allow)).toMatch(/private/);
    expect(await reasonFor('http://localhost/', allow)).toMatch(/names this machine/);
    expect(await reasonFor('http://localhost/', parseWebhookAllowList('localhost'))).toBe('allowed');
  });

  it('refuses an allow list entry it cannot read', () => {
    expect(() => parseWebhookAllowList('10.0.0.0/33')).toThrow('"10.0.0.0/33" is neither a host name, an IP address nor a CIDR range');
    expect(() => parseWebhookAllowList('http://x')).toThrow(/neither a host name/);
    expect(parseWebhookAllowList(undefined)).toEqual(emptyAllowList);
    // The apps read it through this shape, so a bad entry stops them at start, saying which.
    const environment = z.object(webhookEnvironmentShape).safeParse({ JOBKIT_WEBHOOK_ALLOW: 'hooks.intranet,10.0.0.0/33' });
    expect(environment.success ? 'accepted' : z.prettifyError(environment.error)).toContain('JOBKIT_WEBHOOK_ALLOW: "10.0.0.0/33" is neither');
  });
});
