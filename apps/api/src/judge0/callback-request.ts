/**
 * One attempt at a Judge0 callback: a PUT of the body to the URL, at an address the policy
 * allows, and nowhere else.
 *   - The URL is checked again: the policy may have changed since it was accepted.
 *   - A host name is looked up once, every address it has, and refused if any one of them
 *     is refused (which of them a connection would take is not ours to choose). The
 *     connection then goes to the first of those addresses: the socket's own lookup is
 *     replaced by one that answers with it, so a name that answers otherwise a moment
 *     later (DNS rebinding) cannot steer it. The name stays the Host header and, over
 *     https, the name the certificate must carry.
 *   - A redirect is an answer like any other: its status is returned and its Location is
 *     never visited (node:http follows nothing; fetch would re-send the PUT and its body).
 *   - Everything, the lookup included, ends within timeoutMs.
 * Returns `refused` (the policy's answer: not worth trying again) or `answered` with the
 * status; throws when the request fails (no address, no connection, no answer in time),
 * which the caller may try again.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { addressAllowed, checkCallbackUrl } from './callback-policy.js';
import type { CallbackPolicy } from './callback-policy.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type Delivery = { outcome: 'answered'; status: number } | { outcome: 'refused'; why: string };

export interface PutOptions {
  readonly policy: CallbackPolicy;
  readonly timeoutMs: number;
  /** every address of a host name; default dns.lookup (the system's resolver, /etc/hosts too) */
  readonly lookup?: (host: string) => Promise<ResolvedAddress[]>;
}

const systemLookup = (host: string): Promise<ResolvedAddress[]> =>
  dns.promises.lookup(host, { all: true, verbatim: true });

export async function putCallback(rawUrl: string, body: string, o: PutOptions): Promise<Delivery> {
  const checked = checkCallbackUrl(o.policy, rawUrl);
  if (!checked.ok) return { outcome: 'refused', why: `the URL ${checked.problem}` };
  const signal = AbortSignal.timeout(o.timeoutMs);
  // a literal address was judged with the URL, and a socket never looks one up
  if (checked.literal)
    return { outcome: 'answered', status: await put(checked.url, checked.host, undefined, body, signal) };
  const addresses = await abortable((o.lookup ?? systemLookup)(checked.host), signal);
  const first = addresses[0];
  if (!first) throw new Error(`${checked.host} has no address`);
  const refused = addresses.find((a) => !addressAllowed(o.policy, a.address, checked.host));
  if (refused)
    return { outcome: 'refused', why: `${checked.host} has the address ${refused.address}, which the policy refuses` };
  return { outcome: 'answered', status: await put(checked.url, checked.host, first, body, signal) };
}

/** the PUT, connected to `to` when given; resolves with the status once the answer's head is in */
function put(
  url: URL,
  host: string,
  to: ResolvedAddress | undefined,
  body: string,
  signal: AbortSignal,
): Promise<number> {
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        // a pooled socket may be one another lookup connected
        agent: false,
        signal,
        ...(to ? { lookup: pinned(to) } : {}),
      },
      (res) => {
        res.destroy(); // its answer is not read: let its socket go
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** a socket lookup that answers every name with the vetted address */
function pinned(to: ResolvedAddress): net.LookupFunction {
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address: to.address, family: to.family }]);
    else callback(null, to.address, to.family);
  };
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
