import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instanceName, isInstanceAlive } from './instance.js';

test('each sandbox of a process has its own instance name; liveness follows the process', () => {
  const a = instanceName();
  const b = instanceName();
  assert.notEqual(a, b);
  assert.match(a, new RegExp(`^i-${process.pid}-\\d+-\\d+$`));
  assert.equal(isInstanceAlive(a), true);
  assert.equal(isInstanceAlive(`i-${process.pid}-1-1`), false, 'same pid, another start time: a dead engine');
  assert.equal(isInstanceAlive('i-999999999-5-1'), false);
  assert.equal(isInstanceAlive('someone-elses'), true, 'not ours to judge');
});
