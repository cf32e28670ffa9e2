import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '@codebox/config';
import { loadWorkerConfig } from './config.js';

test('a worker on Redis Cluster refuses a prefix without a hash tag, naming the variable', () => {
  assert.equal(
    loadWorkerConfig({ REDIS_URL: 'rediss+cluster://a:7000', CODEBOX_REDIS_PREFIX: 'app:{codebox}' }).redisPrefix,
    'app:{codebox}',
  );
  assert.throws(
    () => loadWorkerConfig({ REDIS_URL: 'redis+cluster://a:7000', CODEBOX_REDIS_PREFIX: 'jobs' }),
    (e: ConfigError) =>
      e.lines.length === 1 && /^CODEBOX_REDIS_PREFIX="jobs": .*hash tag, e\.g\. \{jobs\}/.test(e.lines[0] ?? ''),
  );
  assert.throws(
    () => loadWorkerConfig({ REDIS_URL: 'redis+cluster://a:7000,b:x' }),
    (e: ConfigError) => /^REDIS_URL="[^"]+": node "b:x" is not host:port$/.test(e.lines[0] ?? ''),
  );
});

test("what a job may store: each test's cap, and a result budget a plain run at the most output always fits", () => {
  const MiB = 1 << 20;
  // two streams of the run and two of its compile, and the output files, each at most 3/2
  // as sent, and 64 KiB for the rest
  const plain = (outputBytes: number, filesBytes = 8 * MiB): number =>
    4 * ((3 * outputBytes) / 2) + (3 * filesBytes) / 2 + (64 << 10);
  const c = loadWorkerConfig({});
  assert.deepEqual([c.testOutputBytes, c.resultMaxBytes], [64 << 10, plain(4 * MiB)]);
  assert.equal(
    loadWorkerConfig({ CODEBOX_MAX_OUTPUT_BYTES: String(MiB) }).resultMaxBytes,
    plain(MiB),
    'the default follows CODEBOX_MAX_OUTPUT_BYTES',
  );
  assert.equal(
    loadWorkerConfig({ CODEBOX_OUTPUT_FILES_BYTES: String(MiB) }).resultMaxBytes,
    plain(4 * MiB, MiB),
    'and CODEBOX_OUTPUT_FILES_BYTES',
  );
  assert.equal(
    loadWorkerConfig({ CODEBOX_RESULT_MAX_BYTES: String(64 * MiB), CODEBOX_TEST_OUTPUT_BYTES: '1024' }).resultMaxBytes,
    64 * MiB,
  );
  assert.throws(
    () => loadWorkerConfig({ CODEBOX_RESULT_MAX_BYTES: String(MiB) }),
    (e: ConfigError) =>
      e.lines.length === 1 &&
      e.lines[0] ===
        `CODEBOX_RESULT_MAX_BYTES="${MiB}": must be at least ${plain(4 * MiB)}, what a run at CODEBOX_MAX_OUTPUT_BYTES (4194304) with CODEBOX_OUTPUT_FILES_BYTES (8388608) may store`,
  );
  assert.throws(
    () => loadWorkerConfig({ CODEBOX_TEST_OUTPUT_BYTES: '-1' }),
    (e: ConfigError) => /^CODEBOX_TEST_OUTPUT_BYTES="-1": must be a whole number/.test(e.lines[0] ?? ''),
  );
});
