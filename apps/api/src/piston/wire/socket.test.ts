/**
 * The WebSocket's messages, as test/service/piston-ws.test.ts hears them end to end: a
 * job's events as Piston's runtime, stage, data, exit and error messages; its close codes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobEvent, JobView, RuntimeInfo } from '@codebox/protocol';
import { PISTON_CLOSE, runtimeMessage, socketMessage } from './index.js';

const CPP: RuntimeInfo = {
  id: 'cpp',
  name: 'C++ (GCC)',
  version: '12.2.0',
  aliases: ['c++'],
  extensions: ['.cpp'],
  sourceFile: 'main.cpp',
  compiled: true,
};
const view = (more: Partial<JobView>): JobView => ({
  id: 'j',
  status: 'completed',
  language: 'cpp',
  version: '12.2.0',
  createdAt: '2025-01-01T00:00:00.000Z',
  ...more,
});

test("runtime first, with Piston's name", () => {
  assert.deepEqual(runtimeMessage(CPP), { type: 'runtime', language: 'c++', version: '12.2.0' });
});

test('stages, output and exits', () => {
  const heard = (e: JobEvent) => socketMessage(e);
  assert.deepEqual(heard({ type: 'stage', data: { stage: 'compile', state: 'start' } }), {
    type: 'stage',
    stage: 'compile',
  });
  assert.deepEqual(
    heard({
      type: 'stage',
      data: { stage: 'run', state: 'exit', status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGKILL' },
    }),
    { type: 'exit', stage: 'run', code: null, signal: 'SIGKILL' },
  );
  assert.deepEqual(heard({ type: 'stdout', data: { data: 'HELLO\n', encoding: 'utf8' } }), {
    type: 'data',
    stream: 'stdout',
    data: 'HELLO\n',
  });
  assert.deepEqual(heard({ type: 'stderr', data: { data: Buffer.from('é').toString('base64'), encoding: 'base64' } }), {
    type: 'data',
    stream: 'stderr',
    data: 'é',
  });
});

test('the end: an error for a failed job, nothing for one that completed or was cancelled; status events unheard', () => {
  assert.deepEqual(
    socketMessage({
      type: 'result',
      data: view({ status: 'failed', error: { code: 'INTERNAL', message: 'the sandbox failed' } }),
    }),
    { type: 'error', message: 'the sandbox failed' },
  );
  assert.deepEqual(socketMessage({ type: 'result', data: view({ status: 'failed' }) }), {
    type: 'error',
    message: 'the job failed',
  });
  assert.equal(socketMessage({ type: 'result', data: view({}) }), undefined);
  assert.equal(socketMessage({ type: 'result', data: view({ status: 'cancelled' }) }), undefined);
  assert.equal(socketMessage({ type: 'status', data: { status: 'running' } }), undefined);
});

test("Piston's close codes and reasons", () => {
  assert.deepEqual(Object.values(PISTON_CLOSE), [
    [4000, 'Already Initialized'],
    [4001, 'Initialization Timeout'],
    [4002, 'Notified Error'],
    [4003, 'Not yet initialized'],
    [4004, 'Can only write to stdin'],
    [4005, 'Invalid signal'],
    [4999, 'Job Completed'],
  ]);
});
