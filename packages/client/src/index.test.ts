import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEvent } from './index.js';

test('an SSE block: id, event, data; comments and data-less blocks are skipped', () => {
  assert.deepEqual(parseEvent('id: 1-0\nevent: stdout\ndata: {"data":"hi\\n","encoding":"utf8"}'), {
    id: '1-0',
    type: 'stdout',
    data: { data: 'hi\n', encoding: 'utf8' },
  });
  assert.equal(parseEvent(': keepalive'), undefined);
  assert.deepEqual(parseEvent('event: status\ndata:{"status":"running"}'), {
    id: '',
    type: 'status',
    data: { status: 'running' },
  });
});
