import ipaddr from 'ipaddr.js';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Every address a host name resolves to (all of them: one bad answer refuses the host). */
export type ResolveHost = (hostname: string) => Promise<readonly string[]>;

/** A slow DNS must not hold a create request or a delivery for long: past this, "could not be resolved". */
const resolveTimeoutMs = 5_000;

export const systemResolver: ResolveHost = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no DNS answer for ${hostname} within ${resolveTimeoutMs} ms`));
    }, resolveTimeoutMs);
  });
  try {
    const answers = await Promise.race([lookup(hostname, { all: true, verbatim: true }), timeout]);
    return answers.map((answer) => answer.address);
  } finally {
    clearTimeout(timer);
  }
};

/** Intranet receivers an administrator lets through (JOBKIT_WEBHOOK_ALLOW). */
export interface WebhookAllowList {
  /** Host names as written in endpoint URLs, lower-cased: allowed whatever they resolve to. */
  readonly hosts: ReadonlySet<string>;
  /** Addresses allowed though private (or loopback...). */
  readonly ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

export const emptyAllowList: WebhookAllowList = { hosts: new Set(), ranges: [] };

const hostNamePattern = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;

/** Parses "hooks.intranet, 10.1.0.0/16, 192.168.1.7"; throws a readable error for a bad entry. */
export function parseWebhookAllowList(value: string | undefined): WebhookAllowList {
  const hosts = new Set<string>();
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const entry of (value ?? '').split(',').map((part) => part.trim().toLowerCase())) {
    if (entry === '') continue;
    if (ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry));
    else if (isIP(entry) !== 0) {
      const address = ipaddr.parse(entry);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (hostNamePattern.test(entry)) hosts.add(entry.replace(/\.$/, ''));
    else throw new Error(`"${entry}" is neither a host name, an IP address nor a CIDR range`);
  }
  return { hosts, ranges };
}

/** The address a delivery connects to: checked, then used for the connection itself (pinned). */
export interface WebhookTarget {
  url: URL;
  /** The URL's host without IPv6 brackets. */
  hostname: string;
  address: string;
  family: 4 | 6;
}

export type TargetCheck =
  | { ok: true; target: WebhookTarget }
  /** `refused`: the policy forbids it; otherwise the host could not be resolved (maybe later). */
  | { ok: false; refused: boolean; reason: string };

const blockedNames = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);
const globalUnicastV6 = ipaddr.parseCIDR('2000::/3');
// IPv4-compatible IPv6 (::a.b.c.d, deprecated): ipaddr.js calls these "unicast".
const ipv4CompatibleV6 = ipaddr.parseCIDR('::/96');

// ipaddr.js's names for ranges, in words; any other range is called reserved.
const rangeWords: Readonly<Record<string, string>> = {
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address',
  carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10) address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** Why an address is not one webhooks may reach, or null when it is a public unicast address. */
function forbiddenKind(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  const range = address.range();
  if (range !== 'unicast') return rangeWords[range] ?? 'a reserved or special-purpose address';
  if (address.kind() === 'ipv6' && address.match(ipv4CompatibleV6)) return 'an IPv4-compatible IPv6 address';
  if (address.kind() === 'ipv6' && !address.match(globalUnicastV6)) return 'an unassigned IPv6 address';
  return null;
}

function allowedByRange(address: ipaddr.IPv4 | ipaddr.IPv6, allow: WebhookAllowList): boolean {
  return allow.ranges.some((range) => range[0].kind() === address.kind() && address.match(range));
}

const refusedSuffix = 'webhooks may not reach loopback, private, link-local or reserved networks.';

/**
 * Decides whether a webhook may be sent to `rawUrl`: http(s) only, no credentials, and every address
 * its host resolves to public (IPv4-mapped forms unwrapped), unless JOBKIT_WEBHOOK_ALLOW lets the
 * host or the address through. Run when an endpoint is created and again before every delivery,
 * whose connection then goes to `target.address` and nowhere else.
 */
export async function checkWebhookTarget(
  rawUrl: string,
  options: { allow: WebhookAllowList; resolve?: ResolveHost },
): Promise<TargetCheck> {
  const refuse = (reason: string): TargetCheck => ({ ok: false, refused: true, reason });
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refuse('The webhook URL is not a valid URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse('The webhook URL must start with http:// or https://.');
  if (url.username !== '' || url.password !== '') return refuse('The webhook URL must not carry a user name or password.');
  // WHATWG parsing already turned 2130706433 and 0x7f.1 into 127.0.0.1.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const bareName = hostname.replace(/\.$/, '');
  const nameAllowed = options.allow.hosts.has(bareName);
  if (!nameAllowed && (blockedNames.has(bareName) || bareName.endsWith('.localhost'))) {
    return refuse(`The webhook URL's host ${bareName} names this machine: ${refusedSuffix}`);
  }
  let answers: readonly string[];
  if (isIP(hostname) !== 0) answers = [hostname];
  else {
    try {
      answers = await (options.resolve ?? systemResolver)(hostname);
    } catch {
      answers = [];
    }
  }
  // A resolver answers addresses; anything else (a custom one's mistake) is refused, never parsed loosely.
  if (answers.some((answer) => isIP(answer) === 0)) return refuse(`The webhook URL's host ${hostname} resolves to something that is not an IP address.`);
  const addresses = answers.map((answer) => ipaddr.process(answer));
  const [first] = addresses;
  if (!first) return { ok: false, refused: false, reason: `The webhook URL's host ${hostname} could not be resolved.` };
  if (!nameAllowed) {
    for (const address of addresses) {
      const kind = allowedByRange(address, options.allow) ? null : forbiddenKind(address);
      const what = isIP(hostname) !== 0 ? 'is' : 'resolves to';
      if (kind !== null) return refuse(`The webhook URL's host ${what} ${kind}: ${refusedSuffix}`);
    }
  }
  return {
    ok: true,
    target: { url, hostname, address: first.toString(), family: first.kind() === 'ipv4' ? 4 : 6 },
  };
}
