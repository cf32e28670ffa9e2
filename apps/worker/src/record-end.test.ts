import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { pino } from 'pino';
import type { JobError } from '@codebox/protocol';
import type { ResultJson } from '@codebox/protocol';
import { recordEnd } from './record-end.js';
import type { EndStore } from './record-end.js';

const RESULT = { status: 'OK', stdout: 'x', stderr: '' } as ResultJson;
const log = pino({ level: 'silent' });
const FAST = { tries: 3, backoffMs: 1 };

/** a store whose finish fails with each of `failures` in turn, then succeeds */
function store(failures: Error[]): EndStore & { finishes: number; failed: JobError[] } {
  const s = {
    finishes: 0,
    failed: [] as JobError[],
    async finish() {
      const err = failures[s.finishes++];
      if (err) throw err;
      return true;
    },
    async failWithoutResult(_id: string, error: JobError) {
      s.failed.push(error);
      return true;
    },
  };
  return s;
}

const replyError = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });

test('a result whose JSON cannot be made ends the job failed RESULT_NOT_STORED, at once', async () => {
  const s = store([new RangeError('Invalid string length')]);
  assert.equal(await recordEnd(s, log, 'job', 'completed', { result: RESULT }, FAST), true);
  assert.equal(s.finishes, 1, 'not tried again: it would fail the same way');
  assert.equal(s.failed[0]?.code, 'RESULT_NOT_STORED');
  assert.equal(
    s.failed[0]?.message,
    'the program ran but its result could not be stored: RangeError: Invalid string length',
  );
});

test('Redis over its maxmemory (OOM) is not waited out: failed RESULT_NOT_STORED, at once', async () => {
  const s = store([replyError("OOM command not allowed when used memory > 'maxmemory'.")]);
  assert.equal(await recordEnd(s, log, 'job', 'completed', { result: RESULT }, FAST), true);
  assert.equal(s.finishes, 1);
  assert.match(s.failed[0]?.message ?? '', /could not be stored: ReplyError: OOM command not allowed/);
});

test('a passing error is tried again, and the result stored', async () => {
  const s = store([new Error('Connection is closed.'), replyError('LOADING Redis is loading the dataset in memory')]);
  assert.equal(await recordEnd(s, log, 'job', 'completed', { result: RESULT }, FAST), true);
  assert.deepEqual([s.finishes, s.failed.length], [3, 0]);
});

test('tries run out: failed RESULT_NOT_STORED, saying the last error', async () => {
  const s = store(Array.from({ length: 3 }, () => new Error('Connection is closed.')));
  assert.equal(await recordEnd(s, log, 'job', 'completed', { result: RESULT }, FAST), true);
  assert.equal(s.finishes, 3);
  assert.match(s.failed[0]?.message ?? '', /could not be stored: Error: Connection is closed\./);
});

test('an end without a result that Redis refuses keeps its own error, written small', async () => {
  const s = store([replyError('OOM command not allowed')]);
  const lost = { code: 'WORKER_LOST', message: 'lost' } as const;
  assert.equal(await recordEnd(s, log, 'job', 'failed', { error: lost }, FAST), true);
  assert.deepEqual(s.failed, [lost]);
});

test('nothing written at all: false, for the caller to say so', async () => {
  const s = store([replyError('OOM command not allowed')]);
  s.failWithoutResult = async () => {
    throw new Error('Connection is closed.');
  };
  assert.equal(await recordEnd(s, log, 'job', 'completed', { result: RESULT }, FAST), false);
});

test("the worker's abandon signal keeps no listener of an end that was written, failed or fell back", async () => {
  // one signal lives as long as the worker: a listener left per job was ~800 bytes a job, for good
  const abandon = new AbortController().signal;
  for (let i = 0; i < 50; i++) {
    await recordEnd(store([]), log, `ok${i}`, 'completed', { result: RESULT }, FAST, abandon);
    await recordEnd(store([new Error('Connection is closed.')]), log, `retried${i}`, 'completed', {}, FAST, abandon);
    await recordEnd(store([new RangeError('Invalid string length')]), log, `fell${i}`, 'completed', {}, FAST, abandon);
  }
  assert.equal(getEventListeners(abandon, 'abort').length, 0);
});
