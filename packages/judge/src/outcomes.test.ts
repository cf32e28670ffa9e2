import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeboxWord, cut, kattisWord, testlibWord } from './outcomes.js';

const exit = (code: number) =>
  code === 0 ? { status: 'OK', exitCode: 0, signal: null } : { status: 'RUNTIME_ERROR', exitCode: code, signal: null };

test('testlib: 0 ok, 1 and 2 and 8 reject, 3 fails, 7 gives the points its message starts with', () => {
  assert.deepEqual(testlibWord(exit(0), 'ok the sum is 3\n'), { kind: 'accept', message: 'ok the sum is 3' });
  for (const code of [1, 2, 8]) assert.equal(testlibWord(exit(code), 'wrong answer x').kind, 'reject', String(code));
  assert.deepEqual(testlibWord(exit(3), 'FAIL bad answer file'), {
    kind: 'fail',
    message: 'it ended RUNTIME_ERROR (exit 3): FAIL bad answer file',
  });
  assert.deepEqual(testlibWord(exit(7), 'points 0.25 a quarter\n'), {
    kind: 'points',
    points: 0.25,
    message: 'points 0.25 a quarter',
  });
  assert.deepEqual(testlibWord(exit(7), 'points 12'), { kind: 'points', points: 12, message: 'points 12' });
  assert.equal(testlibWord(exit(7), 'partially correct').kind, 'fail');
  assert.equal(testlibWord(exit(5), 'x').kind, 'fail');
  assert.equal(testlibWord({ status: 'TIME_LIMIT', exitCode: null, signal: 'SIGKILL' }, '').kind, 'fail');
});

test('kattis: 42 accepts (with score.txt its points), 43 rejects, 0 and the rest are judge errors', () => {
  const none = new Map<string, string>();
  assert.deepEqual(kattisWord(exit(42), none, ''), { kind: 'accept', message: '' });
  assert.deepEqual(kattisWord(exit(43), new Map([['judgemessage.txt', 'token 3 differs\n']]), 'debug'), {
    kind: 'reject',
    message: 'token 3 differs',
  });
  assert.deepEqual(kattisWord(exit(42), new Map([['score.txt', '17.5\n']]), ''), {
    kind: 'accept',
    points: 17.5,
    message: '',
  });
  assert.equal(kattisWord(exit(42), new Map([['score.txt', 'lots']]), '').kind, 'fail');
  assert.equal(kattisWord(exit(0), none, '').kind, 'fail', 'exit 0 is not an answer');
  assert.equal(kattisWord(exit(1), none, '').kind, 'fail');
  assert.equal(kattisWord(exit(43), none, 'printed').message, 'printed', 'no judgemessage.txt: what it printed');
});

test('codebox interactors: 0 accepts, 1 and 2 reject, the rest fail', () => {
  assert.equal(codeboxWord(exit(0), '').kind, 'accept');
  assert.equal(codeboxWord(exit(2), 'no').kind, 'reject');
  assert.equal(codeboxWord(exit(3), 'no').kind, 'fail');
});

test('messages are cut between characters', () => {
  assert.equal(cut('  ✓✓✓  ', 4), '✓…');
  assert.equal(cut('abc'), 'abc');
});
