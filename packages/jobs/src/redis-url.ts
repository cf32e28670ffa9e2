/**
 * REDIS_URL's Redis Cluster form, parsed without connecting, and the rule a cluster puts
 * on the key prefix. Pure: config checks a URL with it before anything connects.
 *
 *   redis+cluster://[user:pass@]host[:port],host[:port],…    seed nodes (port default 6379)
 *   rediss+cluster://…                                       the same over TLS
 *
 * The seeds need not be every node: the client asks them for the rest. A cluster has one
 * database, so the URL has no /db path. IPv6 hosts are written in brackets: [::1]:7000.
 */

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
}

export interface ClusterTarget {
  readonly nodes: readonly ClusterNode[];
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\//;

export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

/** throws an Error whose message says what is wrong, in one line, without the password */
export function parseClusterUrl(url: string): ClusterTarget {
  const scheme = CLUSTER_SCHEME.exec(url);
  if (!scheme) throw new Error('a cluster URL starts with redis+cluster:// or rediss+cluster://');
  let rest = url.slice(scheme[0].length);
  if (/[?#]/.test(rest)) throw new Error('a cluster URL takes no ?query or #fragment');
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  // the last @, so that a password with an unescaped @ still parses
  const at = rest.lastIndexOf('@');
  const credentials = at < 0 ? undefined : userinfo(rest.slice(0, at));
  const hosts = rest.slice(at + 1);
  if (hosts.includes('/')) throw new Error('a cluster has one database: the URL takes no /db path');
  if (hosts === '') throw new Error('a cluster URL names at least one node: redis+cluster://host:port,host:port');
  return { nodes: hosts.split(',').map(node), ...credentials, tls: scheme[1] === 'rediss' };
}

function userinfo(text: string): { username?: string; password?: string } {
  const colon = text.indexOf(':');
  const [user, pass] = colon < 0 ? [text, ''] : [text.slice(0, colon), text.slice(colon + 1)];
  try {
    return {
      ...(user ? { username: decodeURIComponent(user) } : {}),
      ...(pass ? { password: decodeURIComponent(pass) } : {}),
    };
  } catch {
    throw new Error('the user name or password has a malformed %-escape');
  }
}

function node(text: string): ClusterNode {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw new Error(`node ${JSON.stringify(text)} is not host:port`);
  const port = m[2] === undefined ? 6379 : Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`node ${JSON.stringify(text)}: the port must be 1-65535`);
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}

/**
 * The hash tag Redis Cluster hashes a key by: what lies between its first `{` and the
 * first `}` after it, when that is not empty (else the whole key is hashed).
 */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/**
 * On a cluster, every key must be in one slot: BullMQ's scripts touch many of a queue's
 * keys at once, and ours a job's record with its stream. A prefix with a hash tag of its
 * own decides the slot of every key that starts with it.
 */
export function clusterPrefixProblem(prefix: string): string | undefined {
  if (hashTag(prefix) !== undefined) return undefined;
  return `on Redis Cluster the prefix must contain a hash tag, e.g. {${prefix.replace(/[{}]/g, '') || 'codebox'}}, so that all of codebox's and BullMQ's keys are in one slot`;
}
