import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadVariables, redisProblems, REDIS_VARIABLES, withoutPassword } from './index.js';
import type { RedisChecks, RedisConfig } from './index.js';

const defaults = (): RedisConfig => ({ redisUrl: undefined, redisPrefix: 'codebox', resultTtlS: 3_600 });

// stands in for @codebox/jobs's checks, which config may not import
const checks: RedisChecks = {
  url: (url) => (url.includes(',,') ? 'node "" is not host:port' : undefined),
  prefix: (url, prefix) => (url.includes('+cluster') && !prefix.includes('{') ? 'needs a hash tag' : undefined),
};

test('REDIS_URL takes the cluster schemes', () => {
  for (const url of ['redis+cluster://a:1,b:2', 'rediss+cluster://a:1', 'redis://a', 'unix:///r.sock']) {
    assert.equal(loadVariables({ REDIS_URL: url }, REDIS_VARIABLES, defaults()).redisUrl, url);
  }
  assert.throws(
    () => loadVariables({ REDIS_URL: 'redis+sentinel://a:1' }, REDIS_VARIABLES, defaults()),
    (e: ConfigError) => /redis\+cluster:\/\//.test(e.lines[0] ?? ''),
  );
});

test('a cluster without a hash-tagged prefix: one line naming CODEBOX_REDIS_PREFIX, default or not', () => {
  const c = loadVariables({ REDIS_URL: 'redis+cluster://a:1' }, REDIS_VARIABLES, defaults());
  assert.deepEqual(redisProblems(c, checks), ['CODEBOX_REDIS_PREFIX="codebox": needs a hash tag']);
  const tagged = loadVariables(
    { REDIS_URL: 'redis+cluster://a:1', CODEBOX_REDIS_PREFIX: '{codebox}' },
    REDIS_VARIABLES,
    defaults(),
  );
  assert.deepEqual(redisProblems(tagged, checks), []);
  assert.deepEqual(redisProblems(defaults(), checks), [], 'no REDIS_URL: npm start runs its own');
});

test('a malformed URL: one line naming REDIS_URL, its password hidden', () => {
  const c = loadVariables({ REDIS_URL: 'redis+cluster://app:hunter2@a:1,,b:2' }, REDIS_VARIABLES, defaults());
  assert.deepEqual(redisProblems(c, checks), [
    'REDIS_URL="redis+cluster://app:***@a:1,,b:2": node "" is not host:port',
  ]);
});

test('withoutPassword hides only the password', () => {
  assert.equal(withoutPassword('redis://u:p@h:1/0'), 'redis://u:***@h:1/0');
  assert.equal(withoutPassword('rediss+cluster://:p@ss@a:1,b:2'), 'rediss+cluster://:***@a:1,b:2');
  assert.equal(withoutPassword('redis://user@h:1'), 'redis://user@h:1');
  assert.equal(withoutPassword('redis+cluster://a:1,b:2'), 'redis+cluster://a:1,b:2');
});

test('a mistyped scheme is refused without showing the password', () => {
  for (const url of [
    'redis-cluster://u:hunter2@h:1',
    'http://:hunter2@h',
    'redis:/u:hunter2@h',
    'redis:u:hunter2@h:1',
    ' redis://:hunter2@h',
    '"redis://:hunter2@h"',
  ]) {
    assert.throws(
      () => loadVariables({ REDIS_URL: url }, REDIS_VARIABLES, defaults()),
      (e: ConfigError) =>
        e.lines.length === 1 &&
        /^REDIS_URL=".*\*\*\*@h.*": must start with/.test(e.lines[0] ?? '') &&
        !e.message.includes('hunter2'),
    );
  }
});
