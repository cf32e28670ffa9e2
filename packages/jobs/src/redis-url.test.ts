import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterPrefixProblem, hashTag, isClusterUrl, parseClusterUrl } from './redis-url.js';

test('a cluster URL: seed nodes, credentials, TLS', () => {
  assert.deepEqual(parseClusterUrl('redis+cluster://127.0.0.1:7000,127.0.0.1:7001,10.0.0.3'), {
    nodes: [
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
      { host: '10.0.0.3', port: 6379 },
    ],
    tls: false,
  });
  assert.deepEqual(parseClusterUrl('rediss+cluster://app:p%40ss@redis-a.internal:6380,[::1]:7000/'), {
    nodes: [
      { host: 'redis-a.internal', port: 6380 },
      { host: '::1', port: 7000 },
    ],
    username: 'app',
    password: 'p@ss',
    tls: true,
  });
  assert.deepEqual(parseClusterUrl('redis+cluster://:secret@h:1'), {
    nodes: [{ host: 'h', port: 1 }],
    password: 'secret',
    tls: false,
  });
});

test('a malformed cluster URL: one line that says what is wrong, without the password', () => {
  const cases: [string, RegExp][] = [
    ['redis+cluster://', /names at least one node/],
    ['redis+cluster://:hunter2@', /names at least one node/],
    ['redis+cluster://a:1,,b:2', /node "" is not host:port/],
    ['redis+cluster://a:1, b:2', /node " b:2" is not host:port/],
    ['redis+cluster://a:0', /port must be 1-65535/],
    ['redis+cluster://a:70000', /port must be 1-65535/],
    ['redis+cluster://a:port', /node "a:port" is not host:port/],
    ['redis+cluster://a:1,b:2/3', /one database/],
    ['redis+cluster://a:1?tls=1', /no \?query/],
    ['redis+cluster://u:%zz@a:1', /malformed %-escape/],
    ['redis://a:1', /starts with redis\+cluster/],
  ];
  for (const [url, re] of cases) {
    assert.throws(
      () => parseClusterUrl(url),
      (e: Error) => re.test(e.message) && !e.message.includes('\n') && !e.message.includes('hunter2'),
      url,
    );
  }
});

test('only the +cluster schemes are cluster URLs', () => {
  assert.equal(isClusterUrl('redis+cluster://a:1'), true);
  assert.equal(isClusterUrl('rediss+cluster://a:1'), true);
  for (const url of ['redis://a:1', 'rediss://a:1', 'unix:///run/redis.sock', 'redis+sentinel://a:1'])
    assert.equal(isClusterUrl(url), false, url);
});

test('the hash tag is what Redis Cluster hashes: first { to the next }, when not empty', () => {
  const cases: [string, string | undefined][] = [
    ['{codebox}', 'codebox'],
    ['{codebox}:job:{42}', 'codebox'],
    ['codebox:job:{42}', '42'],
    ['app{a}{b}', 'a'],
    ['{}{codebox}', undefined], // an empty first tag: the whole key is hashed
    ['{codebox', undefined],
    ['codebox}', undefined],
    ['codebox', undefined],
  ];
  for (const [key, tag] of cases) assert.equal(hashTag(key), tag, key);
});

test('on a cluster the prefix needs a hash tag of its own', () => {
  assert.equal(clusterPrefixProblem('{codebox}'), undefined);
  assert.equal(clusterPrefixProblem('app:{codebox}'), undefined);
  assert.match(clusterPrefixProblem('codebox') ?? '', /must contain a hash tag, e\.g\. \{codebox\}/);
  assert.match(clusterPrefixProblem('{}codebox') ?? '', /hash tag/);
  // a prefix open at its end would take its tag from each key: not one slot
  assert.match(clusterPrefixProblem('codebox{') ?? '', /hash tag/);
});
