import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toApiError } from './errors.js';

test('Redis away is 503 with Retry-After, on one server and on a cluster', () => {
  for (const message of [
    "Stream isn't writeable and enableOfflineQueue options is false",
    'connect ECONNREFUSED 127.0.0.1:6379',
    "Cluster isn't ready and enableOfflineQueue options is false",
    'None of startup nodes is available',
    'CLUSTERDOWN The cluster is down',
  ]) {
    const e = toApiError(new Error(message));
    assert.deepEqual([e.code, e.status, e.retryAfterS], ['UNAVAILABLE', 503, 1], message);
  }
  assert.equal(toApiError(new Error('something else')).code, 'INTERNAL');
});

test('Redis over its maxmemory is 503 with Retry-After, also inside a transaction (the rate counter)', () => {
  const oom = Object.assign(new Error("OOM command not allowed when used memory > 'maxmemory'."), {
    name: 'ReplyError',
  });
  const aborted = Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), {
    name: 'ReplyError',
    previousErrors: [oom],
  });
  for (const err of [oom, aborted]) {
    const e = toApiError(err);
    assert.deepEqual([e.code, e.status], ['UNAVAILABLE', 503], err.message);
    assert.ok((e.retryAfterS ?? 0) >= 1);
    assert.match(e.message, /full/);
  }
});
