import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UidPool } from './uid-pool.js';

test('no two holders share a uid; a waiter gets the next one released', async () => {
  const pool = new UidPool(1000, 2);
  const a = await pool.acquire();
  const b = await pool.acquire();
  assert.notEqual(a, b);
  let third: number | undefined;
  const waiting = pool.acquire().then((u) => (third = u));
  await Promise.resolve();
  assert.equal(third, undefined);
  pool.release(a);
  await waiting;
  assert.equal(third, a);
});
