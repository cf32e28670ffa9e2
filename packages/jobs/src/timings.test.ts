import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMINGS, timingProblems } from './timings.js';

test('the timings keep every rule between them', () => {
  assert.deepEqual(timingProblems(TIMINGS), []);
});

test('a set that breaks a rule is named by it', () => {
  assert.match(timingProblems({ ...TIMINGS, ownerCheckMs: 3_000 }).join(), /over two heartbeats/);
  assert.match(timingProblems({ ...TIMINGS, ownerLookGapMs: 6_000 }).join(), /under ownerCheckMs/);
  assert.match(timingProblems({ ...TIMINGS, workerRecordTtlMs: 5_000 }).join(), /a fresh worker has a record/);
  assert.match(timingProblems({ ...TIMINGS, stalledCheckMs: 9_000 }).join(), /within another lock time/);
});
