/**
 * Redis connections from one REDIS_URL: `redis://[user:pass@]host:port[/db]`,
 * `rediss://…`, or a unix socket as `unix:///path/to/redis.sock`. BullMQ's blocking
 * connections need maxRetriesPerRequest null; every connection here has it, so a command
 * waits for a reconnect instead of failing after a fixed number of tries.
 */
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

export function redisOptions(url: string): RedisOptions {
  const base: RedisOptions = {
    maxRetriesPerRequest: null,
    // RESP2: the reply shapes BullMQ and the stream readers here expect
    protocol: 2,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  } as RedisOptions;
  if (url.startsWith('unix://')) return { ...base, path: url.slice('unix://'.length) };
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`REDIS_URL must be redis://, rediss:// or unix://, not ${u.protocol}`);
  return {
    ...base,
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * failFast: for an HTTP server, whose requests must get a 503 while Redis is away, not
 * hang: no offline queue, one retry per command. Workers wait for Redis instead.
 */
export function connect(url: string, name: string, options: { failFast?: boolean } = {}): Redis {
  const fail = options.failFast ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : {};
  // the options type is built for exactOptionalPropertyTypes-off code; its values are right
  const redis = new Redis({ ...redisOptions(url), connectionName: name, ...fail } as never);
  // a lost connection is retried by ioredis itself, and each command that cannot wait
  // fails on its own: the 'error' event adds nothing but an unhandled-event warning
  redis.on('error', () => undefined);
  return redis;
}

/**
 * A connection of its own for a blocking read (XREAD BLOCK), quiet like connect()'s. Its
 * first command waits for it to connect; its user bounds the wait (disconnect() ends it).
 */
export function blockingConnection(redis: Redis): Redis {
  const conn = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  conn.on('error', () => undefined);
  return conn;
}
