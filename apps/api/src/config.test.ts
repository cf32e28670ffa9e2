import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '@codebox/config';
import { loadApiConfig } from './config.js';

const lines = (env: Record<string, string>): string[] => {
  try {
    loadApiConfig(env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.lines;
  }
};

test('Redis Cluster: the prefix must carry a hash tag', () => {
  assert.equal(
    loadApiConfig({ REDIS_URL: 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001', CODEBOX_REDIS_PREFIX: '{codebox}' })
      .redisPrefix,
    '{codebox}',
  );
  const [line, ...more] = lines({ REDIS_URL: 'redis+cluster://127.0.0.1:7000' });
  assert.match(
    line ?? '',
    /^CODEBOX_REDIS_PREFIX="codebox": on Redis Cluster the prefix must contain a hash tag, e\.g\. \{codebox\}/,
  );
  assert.deepEqual(more, []);
  assert.deepEqual(
    lines({ REDIS_URL: 'redis://127.0.0.1:6379', CODEBOX_REDIS_PREFIX: 'codebox' }),
    [],
    'one server takes any prefix',
  );
});

test('a malformed cluster URL is one line; other bad values are listed with it', () => {
  assert.deepEqual(lines({ REDIS_URL: 'redis+cluster://127.0.0.1:7000/0', HOST: '0.0.0.0' }), [
    'REDIS_URL="redis+cluster://127.0.0.1:7000/0": a cluster has one database: the URL takes no /db path',
    'HOST="0.0.0.0": without CODEBOX_API_KEYS the API listens on loopback only (127.0.0.1 or ::1)',
  ]);
});

test('Judge0 callbacks: private addresses refused and nothing listed by default; a list of hosts, addresses and CIDRs; a bad entry is named', () => {
  const d = loadApiConfig({});
  assert.deepEqual([d.callbackAllow, d.callbackDenyPrivate], [[], true]);
  const c = loadApiConfig({
    CODEBOX_CALLBACK_ALLOW: ' 127.0.0.1, 10.0.0.0/8,hooks.example.com ,fd00::/8,',
    CODEBOX_CALLBACK_DENY_PRIVATE: 'false',
  });
  assert.deepEqual(
    [c.callbackAllow, c.callbackDenyPrivate],
    [['127.0.0.1', '10.0.0.0/8', 'hooks.example.com', 'fd00::/8'], false],
  );
  assert.equal(loadApiConfig({ CODEBOX_CALLBACK_DENY_PRIVATE: '1' }).callbackDenyPrivate, true);
  assert.deepEqual(
    lines({ CODEBOX_CALLBACK_ALLOW: '10.0.0.1/8,ok.example.com,2130706433', CODEBOX_CALLBACK_DENY_PRIVATE: 'no' }),
    [
      'CODEBOX_CALLBACK_ALLOW="10.0.0.1/8,ok.example.com,2130706433": "10.0.0.1/8": has bits set past its /8: write the range\'s first address; "2130706433": must be an IPv4 or IPv6 address in its usual form, a CIDR such as 10.0.0.0/8, or a host name',
      'CODEBOX_CALLBACK_DENY_PRIVATE="no": must be true or false',
    ],
  );
});

test('the Piston API resolves versions it does not have by default; false finds them as Piston does; a bad value is named', () => {
  assert.equal(loadApiConfig({}).pistonResolveVersions, true);
  assert.equal(loadApiConfig({ CODEBOX_PISTON_RESOLVE_VERSIONS: 'false' }).pistonResolveVersions, false);
  assert.deepEqual(lines({ CODEBOX_PISTON_RESOLVE_VERSIONS: 'maybe' }), [
    'CODEBOX_PISTON_RESOLVE_VERSIONS="maybe": must be true or false',
  ]);
});
