import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedOutput } from './output.js';

test('keeps exactly the limit, reports overflow once, streams only what it keeps', () => {
  const seen: Buffer[] = [];
  let overflows = 0;
  const out = new BoundedOutput(
    10,
    (c) => seen.push(c),
    () => overflows++,
  );
  out.push(Buffer.from('hello'));
  out.push(Buffer.from('world!!'));
  out.push(Buffer.from('more'));
  assert.equal(out.bytes().toString(), 'helloworld');
  assert.equal(Buffer.concat(seen).toString(), 'helloworld');
  assert.equal(out.truncated, true);
  assert.equal(overflows, 1);
});

test('output of exactly the limit is not truncated', () => {
  const out = new BoundedOutput(4, undefined, () => assert.fail('no overflow'));
  out.push(Buffer.from('abcd'));
  assert.equal(out.truncated, false);
});
