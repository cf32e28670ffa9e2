/**
 * Where a Judge0 callback may go (CODEBOX_CALLBACK_ALLOW, CODEBOX_CALLBACK_DENY_PRIVATE).
 * Pure: no lookups, no sockets; the delivery (callback-request.ts) resolves names
 * and asks addressAllowed of every address, at submission the route asks checkCallbackUrl.
 *
 * The rules, in order, for one address a callback would connect to:
 *   1. its host name is listed by name: allowed (the operator trusts that name, wherever
 *      it points);
 *   2. it lies in a listed address or CIDR: allowed, private or not;
 *   3. anything is listed: refused (a list is the whole list);
 *   4. the private deny is on (the default) and it lies in PRIVATE_RANGES: refused;
 *   5. allowed.
 * An IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address is judged as
 * the IPv4 address it carries. Addresses are compared as bits (net.BlockList), never as
 * text, and only canonical addresses are taken: the URL parser has already turned
 * 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1.
 */
import net from 'node:net';

/**
 * What the private deny refuses: IANA's special-purpose registries less what is globally
 * reachable, with why. The IPv4-mapped and NAT64 prefixes are not here: the address they
 * carry is judged instead.
 */
export const PRIVATE_RANGES: readonly (readonly [cidr: string, why: string])[] = [
  ['0.0.0.0/8', 'this network; 0.0.0.0 reaches the host itself'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local: cloud metadata services (169.254.169.254)'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', "IETF protocol assignments (one cloud's metadata is 192.0.0.192)"],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay anycast, deprecated'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking, used inside networks'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved, and the broadcast 255.255.255.255'],
  ['::/96', 'unspecified, loopback, and IPv4-compatible (deprecated)'],
  ['::ffff:0:0:0/96', 'IPv4-translated'],
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'discard-only'],
  ['2001::/32', 'Teredo: tunnels to an IPv4 address of its own'],
  ['2001:2::/48', 'benchmarking'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4: tunnels to an IPv4 address of its own'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local, deprecated'],
  ['ff00::/8', 'multicast'],
];

/** names that always resolve to loopback (RFC 6761), judged as these without a lookup */
const LOCALHOST_ADDRESSES = ['127.0.0.1', '::1'];

export type AllowEntry =
  { kind: 'net'; address: string; prefix: number; family: 'ipv4' | 'ipv6' } | { kind: 'name'; name: string };

export interface CallbackPolicy {
  /** listed host names, lower case, without a trailing dot */
  readonly names: ReadonlySet<string>;
  /** listed addresses and CIDRs */
  readonly nets: net.BlockList;
  /** anything listed: then only what is listed passes */
  readonly listed: boolean;
  readonly hasNets: boolean;
  readonly denyPrivate: boolean;
}

const PRIVATE = new net.BlockList();
for (const [cidr] of PRIVATE_RANGES) {
  const e = parseAllowEntry(cidr);
  if (typeof e === 'string' || e.kind !== 'net')
    throw new Error(`PRIVATE_RANGES: ${cidr}: ${typeof e === 'string' ? e : 'not a network'}`);
  PRIVATE.addSubnet(e.address, e.prefix, e.family);
}

/** the policy for a list of entries (checked by the config already: a bad one throws) */
export function callbackPolicy(allow: readonly string[], denyPrivate: boolean): CallbackPolicy {
  const names = new Set<string>();
  const nets = new net.BlockList();
  let hasNets = false;
  for (const entry of allow) {
    const e = parseAllowEntry(entry);
    if (typeof e === 'string') throw new Error(`callback allow-list entry ${JSON.stringify(entry)}: ${e}`);
    if (e.kind === 'name') names.add(e.name);
    else {
      nets.addSubnet(e.address, e.prefix, e.family);
      hasNets = true;
    }
  }
  return { names, nets, listed: allow.length > 0, hasNets, denyPrivate };
}

/** one CODEBOX_CALLBACK_ALLOW entry: an address, a CIDR or a host name; else what is wrong */
export function parseAllowEntry(entry: string): AllowEntry | string {
  const text = entry.trim();
  const [address = '', prefixText, ...rest] = text.split('/');
  const family = address.includes('%')
    ? undefined
    : net.isIPv4(address)
      ? 'ipv4'
      : net.isIPv6(address)
        ? 'ipv6'
        : undefined;
  if (!family) {
    if (prefixText !== undefined)
      return 'a CIDR must start with an IPv4 or IPv6 address in its usual form, e.g. 10.0.0.0/8';
    const name = hostName(text);
    return name
      ? { kind: 'name', name }
      : 'must be an IPv4 or IPv6 address in its usual form, a CIDR such as 10.0.0.0/8, or a host name';
  }
  const bytes = bytesOf(address) as number[];
  const bits = bytes.length * 8;
  if (rest.length > 0 || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)))
    return 'must be an address, a CIDR such as 10.0.0.0/8, or a host name';
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return `an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} prefix is at most /${bits}`;
  for (const [i, byte] of bytes.entries()) {
    const inPrefix = Math.max(0, Math.min(8, prefix - 8 * i));
    if ((byte & (0xff >> inPrefix)) !== 0) return `has bits set past its /${prefix}: write the range's first address`;
  }
  // such an address is judged as the IPv4 address it carries, so only that can match
  if (family === 'ipv6' && prefix >= 96 && carriedIPv4(address)) return 'carries an IPv4 address: write that instead';
  return { kind: 'net', address, prefix, family };
}

/** a DNS host name, lower case, without a trailing dot; undefined for anything else (numbers too) */
function hostName(text: string): string | undefined {
  const name = text.toLowerCase().replace(/\.$/, '');
  const label = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
  if (name.length > 253 || !new RegExp(`^${label}(?:\\.${label})*$`).test(name)) return undefined;
  // what the URL parser reads as an address (2130706433, 0x7f.1, 127.1) is not a name
  let parsed: string;
  try {
    parsed = new URL(`http://${name}/`).hostname;
  } catch {
    return undefined;
  }
  return parsed === name ? name : undefined;
}

/** whether a callback may connect to `address`, reached through the host name `name` if any */
export function addressAllowed(p: CallbackPolicy, address: string, name?: string): boolean {
  // a lookup may give a link-local address with its zone (fe80::1%2): the zone is no part of the range
  const plain = address.replace(/%[^%]*$/, '');
  const judged = carriedIPv4(plain) ?? plain;
  const family = net.isIPv4(judged) ? 'ipv4' : net.isIPv6(judged) ? 'ipv6' : undefined;
  if (!family) return false;
  if (name !== undefined && p.names.has(name.toLowerCase().replace(/\.$/, ''))) return true;
  if (p.nets.check(judged, family)) return true;
  if (p.listed) return false;
  return !(p.denyPrivate && PRIVATE.check(judged, family));
}

export const URL_PROBLEMS = {
  scheme: 'must be an http or https URL',
  userinfo: 'must not carry a user name or password',
  refused: 'is not allowed: this server does not call back to that host',
} as const;

export type UrlCheck =
  | { ok: true; url: URL; host: string; literal: string | undefined }
  | { ok: false; problem: (typeof URL_PROBLEMS)[keyof typeof URL_PROBLEMS] };

/**
 * A callback URL as far as the URL alone decides: http or https, no user name or password,
 * and its host — an address in any spelling, or a localhost name — allowed. Any other name
 * passes here and is decided by the addresses it resolves to at delivery: looking it up
 * at submission would tell a client which internal names exist. `host` is the URL's host
 * without brackets; `literal` the address when the host is one.
 */
export function checkCallbackUrl(p: CallbackPolicy, raw: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: URL_PROBLEMS.scheme };
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
    return { ok: false, problem: URL_PROBLEMS.scheme };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: URL_PROBLEMS.userinfo };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = net.isIP(host) ? host : undefined;
  const bare = host.replace(/\.$/, '');
  let allowed: boolean;
  if (literal) allowed = addressAllowed(p, literal);
  else if (p.names.has(bare)) allowed = true;
  else if (bare === 'localhost' || bare.endsWith('.localhost'))
    allowed = LOCALHOST_ADDRESSES.every((a) => addressAllowed(p, a, host));
  // with only names listed, an unlisted name can resolve to nothing that passes
  else allowed = !p.listed || p.hasNets;
  return allowed ? { ok: true, url, host, literal } : { ok: false, problem: URL_PROBLEMS.refused };
}

/** the IPv4 address an IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) address carries */
function carriedIPv4(address: string): string | undefined {
  if (!net.isIPv6(address)) return undefined;
  const b = bytesOf(address) as number[];
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  const nat64 =
    b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b.slice(4, 12).every((x) => x === 0);
  return mapped || nat64 ? b.slice(12).join('.') : undefined;
}

/** an address's bytes (4 or 16), or undefined when net.isIP says it is none */
function bytesOf(address: string): number[] | undefined {
  if (net.isIPv4(address)) return address.split('.').map(Number);
  if (!net.isIPv6(address)) return undefined;
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const [h, t] = [groups(head), groups(tail ?? '')];
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}
