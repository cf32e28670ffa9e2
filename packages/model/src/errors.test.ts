import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LimitError, SandboxError, SpecError } from '@codebox/sandbox';
import { jobErrorOf } from './errors.js';

test("the sandbox's own failure keeps its step: INTERNAL with the SandboxError's code", () => {
  const e = jobErrorOf(new SandboxError('CGROUP_FAILED', 'create box group: EACCES'));
  assert.deepEqual([e.code, e.sandbox], ['INTERNAL', 'CGROUP_FAILED']);
  assert.match(e.message, /create box group: EACCES/);
});

test('a request the engine refused is INVALID_REQUEST; anything else INTERNAL, with no step', () => {
  assert.equal(jobErrorOf(new SpecError('files', 'too big')).code, 'INVALID_REQUEST');
  assert.equal(jobErrorOf(new LimitError('cpuMs', 'over')).code, 'INVALID_REQUEST');
  const other = jobErrorOf(new Error('boom'));
  assert.deepEqual([other.code, other.sandbox], ['INTERNAL', undefined]);
});
