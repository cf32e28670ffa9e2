import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import {
  blockingConnection,
  clusterOptions,
  connect,
  queueConnection,
  redisOptions,
  redisPrefixProblem,
  redisUrlProblem,
} from './connection.js';
import { parseClusterUrl } from './redis-url.js';

test('one server: host, port, credentials, db, TLS, socket', () => {
  const o = redisOptions('rediss://u:p%40w@redis.internal:6380/2');
  assert.deepEqual([o.host, o.port, o.username, o.password, o.db, o.tls], ['redis.internal', 6380, 'u', 'p@w', 2, {}]);
  assert.equal(o.maxRetriesPerRequest, null);
  assert.equal(redisOptions('unix:///run/redis.sock').path, '/run/redis.sock');
  assert.throws(() => redisOptions('redis+cluster://a:1'), /connect\(\) it/);
});

test('a cluster: credentials and TLS on every node; failFast is no offline queue', () => {
  const target = parseClusterUrl('rediss+cluster://u:pw@a:7000,b:7001');
  const wait = clusterOptions(target, 'codebox-worker', false);
  assert.equal(wait.enableOfflineQueue, true);
  assert.deepEqual(
    { ...wait.redisOptions },
    {
      maxRetriesPerRequest: null,
      protocol: 2,
      connectionName: 'codebox-worker',
      username: 'u',
      password: 'pw',
      tls: {},
    },
  );
  assert.equal(typeof wait.dnsLookup, 'function');
  const fast = clusterOptions(parseClusterUrl('redis+cluster://a:7000'), 'codebox-api', true);
  assert.equal(fast.enableOfflineQueue, false);
  assert.equal(fast.redisOptions?.maxRetriesPerRequest, 1);
  assert.equal(fast.dnsLookup, undefined);
});

test('connect() makes a Cluster for a cluster URL, and its blocking connection is one too', async () => {
  // nothing listens on port 1: the clients are made, not used
  const cluster = connect('redis+cluster://127.0.0.1:1,127.0.0.1:2', 'codebox-test', { failFast: true });
  const blocking = blockingConnection(cluster);
  const server = connect('redis://127.0.0.1:1', 'codebox-test');
  const queue = queueConnection('redis+cluster://127.0.0.1:1', 'codebox-test-queue');
  try {
    assert.ok(cluster instanceof Cluster);
    assert.equal(cluster.options.enableOfflineQueue, false);
    assert.ok(blocking instanceof Cluster);
    // the blocking one waits for the cluster instead of failing fast
    assert.equal(blocking.options.enableOfflineQueue, true);
    assert.equal(blocking.options.redisOptions?.maxRetriesPerRequest, null);
    assert.equal(blocking.options.redisOptions?.connectionName, 'codebox-test');
    assert.ok(server instanceof Redis);
    assert.ok(queue.connection instanceof Cluster);
    assert.equal(queueConnection('redis://127.0.0.1:1', 'q').connection instanceof Cluster, false);
  } finally {
    for (const c of [cluster, blocking, server]) c.disconnect();
    await queue.close();
  }
});

test('config checks: a URL says what is wrong; a cluster needs a hash-tagged prefix', () => {
  assert.equal(redisUrlProblem('redis+cluster://a:1,b:2'), undefined);
  assert.equal(redisUrlProblem('redis://localhost:6379/0'), undefined);
  assert.match(redisUrlProblem('redis+cluster://a:1;b:2') ?? '', /node "a:1;b:2" is not host:port/);
  assert.match(redisUrlProblem('redis://[nope') ?? '', /Invalid URL/);
  assert.equal(redisPrefixProblem('redis+cluster://a:1', '{codebox}'), undefined);
  assert.match(redisPrefixProblem('rediss+cluster://a:1', 'codebox') ?? '', /hash tag/);
  assert.equal(redisPrefixProblem('redis://a:1', 'codebox'), undefined);
});

test('a db that is not a number, a query, or a unix:// URL without a path: refused at start', () => {
  assert.match(redisUrlProblem('redis://u:pw@h:1/abc') ?? '', /database number/);
  assert.match(redisUrlProblem('redis://h:1/0?timeout=5') ?? '', /no \?query/);
  assert.match(redisUrlProblem('unix://') ?? '', /absolute path/);
  assert.equal(redisUrlProblem('redis://h:1/15'), undefined);
  assert.equal(redisUrlProblem('unix:///run/redis.sock'), undefined);
  assert.match(redisUrlProblem('unix:///run/redis.sock?db=2') ?? '', /no \?query/);
  assert.equal(redisOptions('redis://[::1]:6380').host, '::1', 'an IPv6 host without its brackets');
});
