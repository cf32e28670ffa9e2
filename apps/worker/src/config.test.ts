import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '@codebox/config';
import { loadWorkerConfig } from './config.js';

test('a worker on Redis Cluster refuses a prefix without a hash tag, naming the variable', () => {
  assert.equal(loadWorkerConfig({ REDIS_URL: 'rediss+cluster://a:7000', CODEBOX_REDIS_PREFIX: 'app:{codebox}' }).redisPrefix, 'app:{codebox}');
  assert.throws(
    () => loadWorkerConfig({ REDIS_URL: 'redis+cluster://a:7000', CODEBOX_REDIS_PREFIX: 'jobs' }),
    (e: ConfigError) => e.lines.length === 1 && /^CODEBOX_REDIS_PREFIX="jobs": .*hash tag, e\.g\. \{jobs\}/.test(e.lines[0] ?? ''),
  );
  assert.throws(() => loadWorkerConfig({ REDIS_URL: 'redis+cluster://a:7000,b:x' }), (e: ConfigError) => /^REDIS_URL="[^"]+": node "b:x" is not host:port$/.test(e.lines[0] ?? ''));
});
