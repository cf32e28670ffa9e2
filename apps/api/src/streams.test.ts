import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@codebox/protocol';
import { StreamLimiter } from './streams.js';

test('per key 429, in all 503; released slots come back, once', () => {
  const l = new StreamLimiter(3, 2);
  const a1 = l.acquire('a');
  l.acquire('a');
  assert.throws(
    () => l.acquire('a'),
    (e: ApiError) => e.code === 'RATE_LIMITED' && e.status === 429,
  );
  l.acquire('b');
  assert.throws(
    () => l.acquire('c'),
    (e: ApiError) => e.code === 'UNAVAILABLE' && e.status === 503 && e.retryAfterS === 1,
  );
  a1();
  a1();
  l.acquire('c');
  assert.throws(() => l.acquire('d'), /503|open event streams/);
});
