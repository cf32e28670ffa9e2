import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8Boundary } from './judge.js';

test('a cut backs off to the start of the UTF-8 character it falls inside, so text stays text', () => {
  const marks = Buffer.from('a✓✓'); // a, then e2 9c 93 twice
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 8].map((end) => utf8Boundary(marks, end)),
    [0, 1, 1, 1, 4, 4, 4, 7, 7],
  );
  assert.equal(utf8Boundary(Buffer.alloc(10, 0x80), 5), 5, 'not UTF-8: cut where asked');
  assert.equal(utf8Boundary(Buffer.alloc(10, 1), 5), 5);
});
