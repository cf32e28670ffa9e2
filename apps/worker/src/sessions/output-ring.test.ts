import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputRing } from './output-ring.js';

test('the ring keeps the latest bytes, numbered, and says when a reader missed some', () => {
  const r = new OutputRing(10);
  r.push('stdout', Buffer.from('hello '));
  r.push('stderr', Buffer.from('world'));
  assert.deepEqual(
    r.after(0).chunks.map((c) => [c.seq, c.stream, c.data.toString()]),
    [[2, 'stderr', 'world']],
    'the first chunk went: 11 bytes are over 10',
  );
  assert.equal(r.after(0).dropped, true);
  assert.equal(r.after(1).dropped, false);
  assert.deepEqual(r.after(2), { chunks: [], next: 2, dropped: false });
  r.push('stdout', Buffer.from('0123456789abc'));
  assert.equal(r.after(2).chunks[0]?.data.toString(), '3456789abc', 'a chunk over the ring keeps its tail');
});
