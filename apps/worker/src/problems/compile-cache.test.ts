import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Compiled } from '@codebox/runtimes';
import { CompiledPrograms } from './compile-cache.js';

const compiled = (bytes: number): Compiled =>
  ({ ok: true, files: [{ path: 'checker', content: Buffer.alloc(bytes) }] }) as unknown as Compiled;

test('compiled once per key, shared by those who ask at once; the least recently used dropped past the bound', async () => {
  const c = new CompiledPrograms(250);
  let made = 0;
  const make = (bytes: number) => async () => {
    made++;
    await new Promise((r) => setTimeout(r, 10));
    return compiled(bytes);
  };
  await Promise.all([c.get('a', make(100)), c.get('a', make(100))]);
  assert.equal(made, 1);
  await c.get('b', make(100));
  await c.get('a', make(100)); // a is now the most recent
  await c.get('c', make(100)); // 300 > 250: b goes
  await c.get('a', make(100));
  assert.equal(made, 3);
  await c.get('b', make(100));
  assert.equal(made, 4, 'b was dropped');
  await assert.rejects(c.get('d', async () => Promise.reject(new Error('did not compile'))));
  await c.get('d', make(10));
  assert.equal(made, 5, 'a failure is not kept');
});
