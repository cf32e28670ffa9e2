import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import pino from 'pino';
import { ApiError } from '@codebox/protocol';
import { errorHandler, toApiError } from './errors.js';

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

test('an error whose message or details are huge or cannot be serialised is still JSON, never Express’s HTML', async () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const errors = [
    new ApiError('INVALID_REQUEST', `x: ${'m'.repeat(1 << 20)}`, { field: 'f'.repeat(1 << 20) }),
    new ApiError('INVALID_REQUEST', 'bigint', { n: 1n }),
    new ApiError('INVALID_REQUEST', 'circular', circular),
  ];
  const app = express();
  app.get('/:i', (req) => {
    throw errors[Number(req.params.i)] as ApiError;
  });
  app.use(errorHandler(pino({ level: 'silent' })));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answers = [];
    for (let i = 0; i < errors.length; i++) {
      const res = await fetch(`${url}/${i}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, `error ${i}`);
      const text = await res.text();
      assert.ok(text.length < 4096, `error ${i}: ${text.length} chars`);
      answers.push([res.status, (JSON.parse(text) as { error: { code: string } }).error.code]);
    }
    assert.deepEqual(answers, [
      [400, 'INVALID_REQUEST'],
      [500, 'INTERNAL'],
      [400, 'INVALID_REQUEST'], // a cycle is cut a few levels down
    ]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
