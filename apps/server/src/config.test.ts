import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '@codebox/config';
import { loadServerConfig } from './config.js';

test("the embedded Redis's maxmemory: 1g by default, a size, or 0 for none", () => {
  assert.equal(loadServerConfig({}).redisMaxmemoryBytes, 1 << 30);
  assert.equal(loadServerConfig({ CODEBOX_REDIS_MAXMEMORY: '512m' }).redisMaxmemoryBytes, 512 << 20);
  assert.equal(loadServerConfig({ CODEBOX_REDIS_MAXMEMORY: '0' }).redisMaxmemoryBytes, 0);
  assert.throws(
    () => loadServerConfig({ CODEBOX_REDIS_MAXMEMORY: '1 GB' }),
    (e: ConfigError) =>
      e.lines.length === 1 &&
      /^CODEBOX_REDIS_MAXMEMORY="1 GB": must be 0 or a size of at least 32m/.test(e.lines[0] ?? ''),
  );
});
