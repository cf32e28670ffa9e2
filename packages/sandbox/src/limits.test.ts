import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, LimitError, MAX_LIMITS, resolveLimits } from './limits.js';

test('defaults fill what is not asked; asked values within the maximum are kept', () => {
  assert.deepEqual(resolveLimits({}), DEFAULT_LIMITS);
  const r = resolveLimits({ cpuMs: MAX_LIMITS.cpuMs, pids: 2, cpus: 0.5 });
  assert.equal(r.cpuMs, MAX_LIMITS.cpuMs);
  assert.equal(r.pids, 2);
  assert.equal(r.cpus, 0.5);
});

test('over the maximum names the field and the maximum', () => {
  assert.throws(
    () => resolveLimits({ memoryBytes: MAX_LIMITS.memoryBytes + 1 }),
    (e: unknown) => e instanceof LimitError && e.field === 'memoryBytes' && e.maximum === MAX_LIMITS.memoryBytes,
  );
});

test('unknown fields, non-numbers, fractions and values below the minimum are refused', () => {
  for (const bad of [
    { cpuSeconds: 1 },
    { cpuMs: '1000' },
    { pids: 1.5 },
    { pids: 1 },
    { wallMs: Number.NaN },
    { memoryBytes: 1 },
  ]) {
    assert.throws(() => resolveLimits(bad), LimitError, JSON.stringify(bad));
  }
});
