/**
 * A finished job as Piston answers it, as test/service/piston.test.ts sees it end to end:
 * each status with its code, signal and message; compile and run stages (a failed compile
 * copied into run); a job that ended without a result; `output` in the order written. No
 * root, no Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompileJson, JobEvent, JobView, ResultJson, RuntimeInfo } from '@codebox/protocol';
import { hasRunOutput, pistonResult, pistonStage, runOutput } from './index.js';

const CPP: RuntimeInfo = {
  id: 'cpp',
  name: 'C++ (GCC)',
  version: '12.2.0',
  aliases: ['c++'],
  extensions: ['.cpp'],
  sourceFile: 'main.cpp',
  compiled: true,
};

const step = (more: Partial<CompileJson> = {}): CompileJson => ({
  status: 'OK',
  exitCode: 0,
  signal: null,
  cpuMs: 12,
  wallMs: 15,
  memoryBytes: 4_153_344,
  stdout: 'out\n',
  stderr: 'err\n',
  stdoutEncoding: 'utf8',
  stderrEncoding: 'utf8',
  ...more,
});
const run = (more: Partial<ResultJson> = {}): ResultJson => ({
  ...step(),
  stdoutTruncated: false,
  stderrTruncated: false,
  ...more,
});
const job = (more: Partial<JobView> = {}): JobView => ({
  id: 'j',
  status: 'completed',
  language: 'cpp',
  version: '12.2.0',
  createdAt: '2025-01-01T00:00:00.000Z',
  ...more,
});
/** the fields a status decides */
const verdict = (s: { status: unknown; code: unknown; signal: unknown; message: unknown }) => [
  s.status,
  s.code,
  s.signal,
  s.message,
];

test("OK: its exit code, no status, signal or message; Piston's units (ms, bytes); output is stdout then stderr", () => {
  assert.deepEqual(pistonStage(run()), {
    stdout: 'out\n',
    stderr: 'err\n',
    output: 'out\nerr\n',
    cpu_time: 12,
    wall_time: 15,
    memory: 4_153_344,
    code: 0,
    signal: null,
    message: null,
    status: null,
  });
  assert.equal(pistonStage(run(), 'err\nout\n').output, 'err\nout\n', 'the order written, when known');
});

test('each status as Piston (and isolate) says it', () => {
  assert.deepEqual(verdict(pistonStage(run({ status: 'RUNTIME_ERROR', exitCode: 4 }))), [
    'RE',
    4,
    null,
    'Exited with error status 4',
  ]);
  assert.deepEqual(verdict(pistonStage(run({ status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGSEGV' }))), [
    'SG',
    null,
    'SIGSEGV',
    'Caught fatal signal 11',
  ]);
  assert.deepEqual(verdict(pistonStage(run({ status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGWHAT' }))), [
    'SG',
    null,
    'SIGWHAT',
    'Caught fatal signal SIGWHAT',
  ]);
  assert.deepEqual(verdict(pistonStage(step({ status: 'COMPILE_ERROR', exitCode: 1 }))), [
    'RE',
    1,
    null,
    'Exited with error status 1',
  ]);
  assert.deepEqual(verdict(pistonStage(run({ status: 'TIME_LIMIT', exitCode: null }))), [
    'TO',
    null,
    'SIGKILL',
    'Time limit exceeded',
  ]);
  assert.deepEqual(verdict(pistonStage(run({ status: 'WALL_TIME_LIMIT', exitCode: null }))), [
    'TO',
    null,
    'SIGKILL',
    'Time limit exceeded (wall clock)',
  ]);
  assert.deepEqual(verdict(pistonStage(run({ status: 'MEMORY_LIMIT', exitCode: null }))), [
    'SG',
    null,
    'SIGKILL',
    'Caught fatal signal 9',
  ]);
  assert.deepEqual(verdict(pistonStage(run({ status: 'OUTPUT_LIMIT', stdoutTruncated: true }))), [
    'OL',
    null,
    'SIGKILL',
    'stdout length exceeded',
  ]);
  assert.deepEqual(verdict(pistonStage(run({ status: 'OUTPUT_LIMIT', stderrTruncated: true }))), [
    'EL',
    null,
    'SIGKILL',
    'stderr length exceeded',
  ]);
  assert.deepEqual(
    verdict(pistonStage(run({ status: 'OUTPUT_LIMIT', stdoutTruncated: true, stderrTruncated: true }))),
    ['OL', null, 'SIGKILL', 'stdout length exceeded'],
  );
  assert.deepEqual(
    verdict(pistonStage(run({ status: 'OUTPUT_LIMIT' }))),
    ['OL', null, 'SIGKILL', 'stdout length exceeded'],
    'a compile step carries no flags',
  );
  assert.deepEqual(verdict(pistonStage(run({ status: 'INTERNAL_ERROR', exitCode: null }))), [
    'XX',
    null,
    null,
    'internal error',
  ]);
});

test('base64 output (not valid UTF-8, or costly as text) is decoded for Piston, which has only text', () => {
  const s = pistonStage(
    run({ stdout: Buffer.from('héllo\n').toString('base64'), stdoutEncoding: 'base64', stderr: '' }),
  );
  assert.deepEqual([s.stdout, s.output], ['héllo\n', 'héllo\n']);
});

test("compile and run stages; Piston's name and the runtime's version", () => {
  const r = pistonResult(
    job({ result: run({ stdout: 'args 0\n', stderr: '', compile: step({ stdout: '', stderr: '' }) }) }),
    CPP,
  );
  assert.deepEqual([r.language, r.version], ['c++', '12.2.0']);
  assert.deepEqual(verdict(r.compile ?? { status: 'none', code: 0, signal: null, message: null }), [
    null,
    0,
    null,
    null,
  ]);
  assert.equal(r.run.stdout, 'args 0\n');
  const interpreted = pistonResult(job({ result: run() }), CPP);
  assert.equal('compile' in interpreted, false, 'no compile step: no compile key');
});

test("a failed compile is copied into run, and its output is the compiler's", () => {
  const compile = step({ status: 'COMPILE_ERROR', exitCode: 1, stdout: '', stderr: 'main.c:1: error\n' });
  const r = pistonResult(
    job({ result: run({ status: 'COMPILE_ERROR', exitCode: null, stdout: '', stderr: '', compile }) }),
    CPP,
    'ignored',
  );
  assert.deepEqual(r.run, r.compile);
  assert.deepEqual(
    [r.run.status, r.run.code, r.run.stderr, r.run.output],
    ['RE', 1, 'main.c:1: error\n', 'main.c:1: error\n'],
  );
});

test("a job without a result is an XX run with the job's error, or how it ended", () => {
  const failed = pistonResult(
    job({ status: 'failed', error: { code: 'WORKER_LOST', message: 'the worker was lost' } }),
    CPP,
  );
  assert.deepEqual(failed.run, {
    stdout: '',
    stderr: '',
    output: '',
    code: null,
    signal: null,
    message: 'the worker was lost',
    status: 'XX',
    cpu_time: 0,
    wall_time: 0,
    memory: 0,
  });
  assert.equal(pistonResult(job({ status: 'cancelled' }), CPP).run.message, 'the job ended cancelled');
});

const chunk = (type: 'stdout' | 'stderr', text: string): JobEvent => ({ type, data: { data: text, encoding: 'utf8' } });
const start = (stage: 'compile' | 'run'): JobEvent => ({ type: 'stage', data: { stage, state: 'start' } });

test("output: the run's stdout and stderr in the order written; the compiler's left out", () => {
  const events: JobEvent[] = [
    { type: 'status', data: { status: 'running' } },
    start('compile'),
    chunk('stderr', 'warning\n'),
    start('run'),
    chunk('stdout', 'out\n'),
    chunk('stderr', 'err\n'),
    { type: 'stdout', data: { data: Buffer.from('out2\n').toString('base64'), encoding: 'base64' } },
  ];
  assert.equal(runOutput(events, run({ stdout: 'out\nout2\n', stderr: 'err\n' })), 'out\nerr\nout2\n');
});

test('output: undefined when the events hold less than the result (a capped stream), so stdout and stderr are joined', () => {
  const events = [start('run'), chunk('stdout', 'out\n')];
  assert.equal(runOutput(events, run({ stdout: 'out\n', stderr: 'err\n' })), undefined);
  assert.equal(
    pistonResult(job({ result: run({ stdout: 'out\n', stderr: 'err\n' }) }), CPP, runOutput(events, run())).run.output,
    'out\nerr\n',
  );
});

test('output is looked for only for a run that ran', () => {
  assert.equal(hasRunOutput(job({ result: run() })), true);
  assert.equal(hasRunOutput(job({ result: run({ status: 'COMPILE_ERROR' }) })), false);
  assert.equal(hasRunOutput(job({ status: 'failed' })), false);
});
