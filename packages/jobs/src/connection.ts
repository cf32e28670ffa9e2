/**
 * Redis connections from one REDIS_URL: `redis://[user:pass@]host:port[/db]`,
 * `rediss://…`, a unix socket as `unix:///path/to/redis.sock`, or a Redis Cluster as
 * `redis+cluster://host:port,host:port,…` (redis-url.ts). BullMQ's blocking connections
 * need maxRetriesPerRequest null; every connection here has it, so a command waits for a
 * reconnect instead of failing after a fixed number of tries.
 */
import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { clusterPrefixProblem, isClusterUrl, parseClusterUrl } from './redis-url.js';
import type { ClusterTarget } from './redis-url.js';

/** one server or a cluster: what every reader and writer of codebox's keys takes */
export type RedisConnection = Redis | Cluster;

const retryStrategy = (times: number): number => Math.min(times * 100, 2_000);

/** what every connection shares, to one server or to each node of a cluster */
function baseOptions(): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    // RESP2: the reply shapes BullMQ and the stream readers here expect
    protocol: 2,
  };
}

/** a single server's options; a cluster URL has none (connect() makes a Cluster) */
export function redisOptions(url: string): RedisOptions {
  const base: RedisOptions = { ...baseOptions(), retryStrategy };
  if (url.startsWith('unix://')) {
    const socket = url.slice('unix://'.length);
    // an empty path would make ioredis fall back to 127.0.0.1:6379, quietly
    if (!socket.startsWith('/'))
      throw new Error('a unix:// URL names the socket by its absolute path: unix:///path/to/redis.sock');
    if (/[?#]/.test(socket)) throw new Error('a unix:// URL takes no ?query or #fragment');
    return { ...base, path: socket };
  }
  if (isClusterUrl(url)) throw new Error('a Redis Cluster URL has no single-server options: connect() it');
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(
      `REDIS_URL must be redis://, rediss://, redis+cluster://, rediss+cluster:// or unix://, not ${u.protocol}`,
    );
  // a db that is not a number would fail SELECT after connecting, far from the setting
  if (u.pathname.length > 1 && !/^\/\d{1,5}$/.test(u.pathname))
    throw new Error('the path after the host is the database number, e.g. redis://host:6379/0');
  if (u.search) throw new Error('REDIS_URL takes no ?query');
  return {
    ...base,
    // URL keeps an IPv6 host's brackets ([::1]); a socket wants the address alone
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** a cluster's options: the seed nodes' credentials and TLS go to every node */
export function clusterOptions(target: ClusterTarget, name: string, failFast: boolean): ClusterOptions {
  return {
    clusterRetryStrategy: retryStrategy,
    // failFast, the cluster's way: a command while the cluster is away fails at once
    enableOfflineQueue: !failFast,
    redisOptions: {
      ...baseOptions(),
      connectionName: name,
      ...(failFast ? { maxRetriesPerRequest: 1 } : {}),
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    // over TLS, connect by the name the nodes announce, which their certificates carry,
    // not by the address it resolves to (ioredis's advice for clusters with TLS)
    ...(target.tls
      ? { dnsLookup: (address: string, done: (err: null, address: string) => void) => done(null, address) }
      : {}),
  };
}

/**
 * failFast: for an HTTP server, whose requests must get a 503 while Redis is away, not
 * hang: no offline queue, one retry per command. Workers wait for Redis instead.
 */
export function connect(url: string, name: string, options: { failFast?: boolean } = {}): RedisConnection {
  const failFast = options.failFast === true;
  let conn: RedisConnection;
  if (isClusterUrl(url)) {
    const target = parseClusterUrl(url);
    // the options types are built for exactOptionalPropertyTypes-off code; their values are right
    conn = new Cluster(
      target.nodes.map((n) => ({ ...n })),
      clusterOptions(target, name, failFast) as never,
    );
  } else {
    const fail = failFast ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : {};
    conn = new Redis({ ...redisOptions(url), connectionName: name, ...fail } as never);
  }
  // a lost connection is retried by ioredis itself, and each command that cannot wait
  // fails on its own: the 'error' event adds nothing but an unhandled-event warning
  conn.on('error', () => undefined);
  return conn;
}

/**
 * A connection of its own for a blocking read (XREAD BLOCK), quiet like connect()'s. Its
 * first command waits for it to connect; its user bounds the wait (disconnect() ends it).
 * On a cluster it is a cluster client of its own (a connection to each node it reads).
 */
export function blockingConnection(redis: RedisConnection): RedisConnection {
  const conn =
    redis instanceof Cluster
      ? redis.duplicate([], { enableOfflineQueue: true, redisOptions: { maxRetriesPerRequest: null } })
      : redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  conn.on('error', () => undefined);
  return conn;
}

/**
 * What BullMQ's Worker takes as its connection. On one server, options: BullMQ makes its
 * connections and closes them. On a cluster, a Cluster of our own (BullMQ takes no cluster
 * options; it duplicates the instance for its blocking reads): close() it after the Worker.
 */
export function queueConnection(
  url: string,
  name: string,
): { readonly connection: RedisOptions | Cluster; close(): Promise<void> } {
  if (!isClusterUrl(url)) return { connection: redisOptions(url), close: async () => undefined };
  const cluster = connect(url, name) as Cluster;
  return {
    connection: cluster,
    close: async () => {
      await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}

/** what is wrong with a REDIS_URL, in one line, or undefined */
export function redisUrlProblem(url: string): string | undefined {
  try {
    if (isClusterUrl(url)) parseClusterUrl(url);
    else redisOptions(url);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** what is wrong with a key prefix on this REDIS_URL, in one line, or undefined */
export function redisPrefixProblem(url: string, prefix: string): string | undefined {
  return isClusterUrl(url) ? clusterPrefixProblem(prefix) : undefined;
}

/** the checks config runs on the Redis settings at start (@codebox/config's RedisChecks) */
export const REDIS_CHECKS = { url: redisUrlProblem, prefix: redisPrefixProblem } as const;

/** a Lua script as a command of this connection (EVALSHA, falling back to EVAL) */
export type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/** defines the script once per connection (ioredis keeps it), and returns its caller */
export function defineScript(redis: RedisConnection, name: string, lua: string, numberOfKeys: number): ScriptFn {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  return (...args) => (redis as unknown as Record<string, ScriptFn>)[name]!(...args);
}

/**
 * A connection let go when its user stops: QUIT when Redis answers within ms, else the
 * socket is cut. A Redis that is gone must not hold a process that is stopping.
 */
export async function letGo(conn: { quit(): Promise<unknown>; disconnect(): void }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const answered = await Promise.race([
    conn.quit().then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
  if (!answered) conn.disconnect();
}
