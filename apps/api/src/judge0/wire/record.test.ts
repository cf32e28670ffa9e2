/**
 * A job as Judge0 reports its submission: statuses 1–14 and how a run maps to them
 * (isolate_job.rb's verify), time in seconds as strings, memory in KB, compile_output,
 * number_of_runs averaged; then the serializer: fields, base64 as Ruby writes it, text
 * that must be UTF-8. test/service/judge0.test.ts pins the same end to end. No root, no
 * Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompileJson, JobView, ResultJson, RuntimeInfo, TestJson } from '@codebox/protocol';
import {
  ATTRIBUTES,
  checkSubmission,
  ConversionError,
  DEFAULT_FIELDS,
  encode64,
  JUDGE0_STATUSES,
  parseFields,
  serialize,
  strip,
  submissionRecord,
} from './index.js';
import type { Submission } from './index.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const C: RuntimeInfo = {
  id: 'c',
  name: 'C (GCC)',
  version: '12.2.0',
  aliases: [],
  extensions: ['.c'],
  sourceFile: 'main.c',
  compiled: true,
};

function submission(more: Record<string, unknown> = {}): Submission {
  const c = checkSubmission(
    { source_code: 'int main(void) {}', language_id: 50, ...more },
    false,
    new Set([50]),
    () => undefined,
  );
  assert.ok('submission' in c);
  return { token: '0f8fad5b-d9cb-469f-a165-70867728950e', ...c.submission };
}
const step = (more: Partial<CompileJson> = {}): CompileJson => ({
  status: 'OK',
  exitCode: 0,
  signal: null,
  cpuMs: 16,
  wallMs: 21,
  memoryBytes: 13_964 * 1024 + 300,
  stdout: 'hi\n',
  stderr: '',
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
/** one run of number_of_runs, as the judge stores it */
const judged = (more: Partial<TestJson> = {}): TestJson => ({
  ...step(),
  index: 0,
  verdict: 'ACCEPTED',
  stdoutTruncated: false,
  stderrTruncated: false,
  ...more,
});
const view = (more: Partial<JobView> = {}): JobView => ({
  id: 'j',
  status: 'completed',
  language: 'c',
  version: '12.2.0',
  createdAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
  ...more,
});
const record = (v: JobView | undefined, s = submission()) => submissionRecord(s, v, C);
/** what a status decides */
const verdict = (r: Record<string, unknown>) => [r.status_id, r.exit_code, r.exit_signal, r.message];

test("the statuses: 14, Judge0's ids and descriptions", () => {
  assert.equal(JUDGE0_STATUSES.length, 14);
  assert.deepEqual(JUDGE0_STATUSES[0], { id: 1, description: 'In Queue' });
  assert.deepEqual(JUDGE0_STATUSES[6], { id: 7, description: 'Runtime Error (SIGSEGV)' });
  assert.deepEqual(JUDGE0_STATUSES[13], { id: 14, description: 'Exec Format Error' });
});

test('before its end: In Queue, Processing; a job that failed or was cancelled is an Internal Error with why', () => {
  assert.deepEqual(record(undefined).status, { id: 1, description: 'In Queue' });
  assert.deepEqual(record(view({ status: 'queued' })).status, { id: 1, description: 'In Queue' });
  assert.deepEqual(record(view({ status: 'running' })).status, { id: 2, description: 'Processing' });
  const failed = record(view({ status: 'failed', error: { code: 'WORKER_LOST', message: 'the worker was lost' } }));
  assert.deepEqual(
    [failed.status_id, failed.message, failed.time, failed.stdout],
    [13, 'the worker was lost', null, null],
  );
  assert.equal(record(view({ status: 'cancelled' })).message, 'the job was cancelled');
});

test('a run that ended: time and wall time in seconds as strings, memory in KB, output as base64, empty as null', () => {
  const r = record(view({ result: run() }));
  assert.deepEqual(
    [
      r.status_id,
      r.time,
      r.wall_time,
      r.memory,
      r.stdout,
      r.stderr,
      r.exit_code,
      r.exit_signal,
      r.message,
      r.compile_output,
    ],
    [3, '0.016', '0.021', 13964, b64('hi\n'), null, 0, null, null, null],
  );
  assert.equal(
    record(view({ result: run({ stdout: b64('\u00ff'), stdoutEncoding: 'base64' }) })).stdout,
    b64('\u00ff'),
    'base64 output: its bytes',
  );
});

test("Accepted or Wrong Answer against expected_output, after Judge0's strip", () => {
  assert.equal(
    record(view({ result: run({ stdout: 'olleh   \n\n' }) }), submission({ expected_output: 'olleh\n\n' })).status_id,
    3,
  );
  assert.equal(
    record(view({ result: run({ stdout: ' 1\n' }) }), submission({ expected_output: '1' })).status_id,
    4,
    'leading whitespace counts',
  );
  assert.equal(strip('a  \t\nb\0\n\n  \n'), 'a\nb');
});

test('time over cpu_time_limit is a Time Limit Exceeded, whatever the run did within its extra time', () => {
  assert.deepEqual(verdict(record(view({ result: run({ cpuMs: 301 }) }), submission({ cpu_time_limit: 0.3 }))), [
    5,
    0,
    null,
    'Time limit exceeded',
  ]);
  assert.equal(record(view({ result: run({ cpuMs: 300 }) }), submission({ cpu_time_limit: 0.3 })).status_id, 3);
});

test('each status a run can end with, as isolate_job.rb records it', () => {
  const ended = (r: Partial<ResultJson>) => verdict(record(view({ result: run({ exitCode: null, ...r }) })));
  assert.deepEqual(ended({ status: 'TIME_LIMIT' }), [5, 0, null, 'Time limit exceeded']);
  assert.deepEqual(ended({ status: 'WALL_TIME_LIMIT' }), [5, 0, null, 'Time limit exceeded (wall clock)']);
  assert.deepEqual(ended({ status: 'MEMORY_LIMIT' }), [12, 0, 9, 'Caught fatal signal 9']);
  assert.deepEqual(ended({ status: 'OUTPUT_LIMIT' }), [8, 0, 25, 'Caught fatal signal 25']);
  assert.deepEqual(ended({ status: 'RUNTIME_ERROR', signal: 'SIGSEGV' }), [7, 0, 11, 'Caught fatal signal 11']);
  assert.deepEqual(ended({ status: 'RUNTIME_ERROR', signal: 'SIGXFSZ' }), [8, 0, 25, 'Caught fatal signal 25']);
  assert.deepEqual(ended({ status: 'RUNTIME_ERROR', signal: 'SIGFPE' }), [9, 0, 8, 'Caught fatal signal 8']);
  assert.deepEqual(ended({ status: 'RUNTIME_ERROR', signal: 'SIGABRT' }), [10, 0, 6, 'Caught fatal signal 6']);
  assert.deepEqual(ended({ status: 'RUNTIME_ERROR', signal: 'SIGKILL' }), [12, 0, 9, 'Caught fatal signal 9']);
  assert.deepEqual(ended({ status: 'RUNTIME_ERROR', signal: 'SIGWHAT' }), [12, 0, 0, 'Caught fatal signal 0']);
  assert.deepEqual(ended({ status: 'RUNTIME_ERROR', exitCode: 3 }), [11, 3, null, 'Exited with error status 3']);
  assert.deepEqual(ended({ status: 'INTERNAL_ERROR' }), [13, 0, null, 'internal error']);
});

test("compile_output: the compiler's stdout and stderr in one; a failed compile is 6, one out of time says so", () => {
  const compile = step({ stdout: 'note\n', stderr: 'warning\n' });
  assert.equal(record(view({ result: run({ compile }) })).compile_output, b64('note\nwarning\n'));
  const failed = record(
    view({
      result: run({
        status: 'COMPILE_ERROR',
        compile: step({ status: 'COMPILE_ERROR', exitCode: 1, stdout: '', stderr: 'error\n' }),
      }),
    }),
  );
  assert.deepEqual(
    [failed.status_id, failed.compile_output, failed.time, failed.stdout, failed.message],
    [6, b64('error\n'), null, null, null],
  );
  const slow = record(
    view({ result: run({ status: 'COMPILE_ERROR', compile: step({ status: 'WALL_TIME_LIMIT', stderr: 'x' }) }) }),
  );
  assert.equal(Buffer.from(String(slow.compile_output), 'base64').toString(), 'Compilation time limit exceeded.');
  const judge = record(
    view({
      judge: {
        verdict: 'COMPILE_ERROR',
        passed: 0,
        total: 2,
        skipped: 2,
        compile: step({ status: 'COMPILE_ERROR', stderr: 'e' }),
        tests: [],
      },
    }),
  );
  assert.deepEqual(
    [judge.status_id, judge.compile_output],
    [6, b64('hi\ne')],
    'judge mode: the compile of number_of_runs',
  );
});

test('number_of_runs: the runs up to the first that is not Accepted; time averaged (a string), memory averaged (floored)', () => {
  const s = submission({ number_of_runs: 3, expected_output: 'hi' });
  const tests = [
    judged({ cpuMs: 10, memoryBytes: 1000 * 1024 }),
    judged({ index: 1, cpuMs: 20, memoryBytes: 1001 * 1024 }),
    judged({ index: 2, cpuMs: 31, memoryBytes: 2000 * 1024 }),
  ];
  const all = record(view({ judge: { verdict: 'ACCEPTED', passed: 3, total: 3, skipped: 0, tests } }), s);
  assert.deepEqual(
    [all.status_id, all.time, all.memory, all.wall_time],
    [3, '0.02033333333333333', Math.floor(4001 / 3), '0.021'],
  );
  const wrong = [
    judged({ cpuMs: 10 }),
    judged({ index: 1, cpuMs: 30, stdout: 'no\n', verdict: 'WRONG_ANSWER' }),
    judged({ index: 2, cpuMs: 1000 }),
  ];
  const stopped = record(
    view({ judge: { verdict: 'WRONG_ANSWER', passed: 2, total: 3, skipped: 0, tests: wrong } }),
    s,
  );
  assert.deepEqual([stopped.status_id, stopped.time, stopped.stdout], [4, '0.02', b64('no\n')]);
});

test('decimal columns as Rails renders a BigDecimal: strings, whole ones with .0, never rounded to one place', () => {
  const limits = (more: Record<string, unknown>) => {
    const r = record(view({ result: run() }), submission(more));
    return [r.cpu_time_limit, r.cpu_extra_time, r.wall_time_limit];
  };
  assert.deepEqual(limits({ cpu_time_limit: 0.25, cpu_extra_time: 0, wall_time_limit: 1 }), ['0.25', '0.0', '1.0']);
  assert.deepEqual(limits({ cpu_time_limit: '0.125', cpu_extra_time: 0.05, wall_time_limit: 2.5 }), [
    '0.125',
    '0.05',
    '2.5',
  ]);
  assert.deepEqual(limits({ cpu_time_limit: 1e-7 }).slice(0, 1), ['0.0000001'], 'never in exponent notation');
  const times = (cpuMs: number, wallMs: number) => {
    const r = record(view({ result: run({ cpuMs, wallMs }) }));
    return [r.time, r.wall_time];
  };
  assert.deepEqual(times(0, 1000), ['0.0', '1.0']);
  assert.deepEqual(times(1, 2500), ['0.001', '2.5']);
  assert.deepEqual(times(250, 10), ['0.25', '0.01']);
  const runs = [judged({ cpuMs: 1 }), judged({ index: 1, cpuMs: 2 }), judged({ index: 2, cpuMs: 2 })];
  const averaged = record(
    view({ judge: { verdict: 'ACCEPTED', passed: 3, total: 3, skipped: 0, tests: runs } }),
    submission({ number_of_runs: 3 }),
  );
  assert.equal(averaged.time, '0.001666666666666667', "an average is a Float, stored as Ruby 2.7's to_d keeps it");
});

test("number_of_runs: a run whose stored stdout was cut keeps the judge's verdict, which saw all of it", () => {
  const s = submission({ number_of_runs: 2, expected_output: 'x'.repeat(100) });
  const cut = (v: TestJson['verdict']) => judged({ stdout: 'x'.repeat(10), stdoutTruncated: true, verdict: v });
  assert.equal(
    record(
      view({
        judge: { verdict: 'ACCEPTED', passed: 2, total: 2, skipped: 0, tests: [cut('ACCEPTED'), cut('ACCEPTED')] },
      }),
      s,
    ).status_id,
    3,
  );
  assert.equal(
    record(
      view({ judge: { verdict: 'WRONG_ANSWER', passed: 0, total: 2, skipped: 0, tests: [cut('WRONG_ANSWER')] } }),
      s,
    ).status_id,
    4,
  );
});

test("the record: every attribute, in the serializer's order; limits as Judge0 prints them; the language by Judge0's name", () => {
  const r = record(view({ result: run() }), submission({ stdin: 'in', cpu_time_limit: 2 }));
  assert.deepEqual(Object.keys(r), [...ATTRIBUTES]);
  assert.deepEqual(
    [r.cpu_time_limit, r.cpu_extra_time, r.wall_time_limit, r.memory_limit, r.number_of_runs],
    ['2.0', '1.0', '10.0', 128000, 1],
  );
  assert.deepEqual(
    [r.source_code, r.stdin, r.created_at, r.finished_at],
    [b64('int main(void) {}'), b64('in'), '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:01.000Z'],
  );
  assert.deepEqual(r.language, { id: 50, name: 'C (GCC 12.2.0)' });
  assert.deepEqual(
    submissionRecord(submission(), undefined, undefined).language,
    { id: 50, name: null },
    'no worker says what it is',
  );
});

test('fields: the defaults, *, a list, and what is not an attribute', () => {
  assert.deepEqual(parseFields(undefined), { fields: DEFAULT_FIELDS });
  assert.deepEqual(parseFields(''), { fields: DEFAULT_FIELDS });
  assert.deepEqual(parseFields('stdout,*'), { fields: [...ATTRIBUTES] });
  assert.deepEqual(parseFields('stdout,status_id'), { fields: ['stdout', 'status_id'] });
  assert.deepEqual(parseFields('stdout,colour,size'), { invalid: ['colour', 'size'] });
  assert.equal(ATTRIBUTES.length, 35);
});

test("fields as Ruby's split(','): trailing empties dropped, others invalid; * with an unknown one is still refused", () => {
  assert.deepEqual(parseFields('token,stdout,'), { fields: ['token', 'stdout'] });
  assert.deepEqual(parseFields('token,,,'), { fields: ['token'] });
  assert.deepEqual(parseFields(','), { fields: DEFAULT_FIELDS }, 'nothing asked: the defaults');
  assert.deepEqual(parseFields('token,,stdout'), { invalid: [''] });
  assert.deepEqual(parseFields(',token'), { invalid: [''] });
  assert.deepEqual(parseFields('*,bogus'), { invalid: ['bogus'] });
  assert.deepEqual(parseFields('*,'), { fields: [...ATTRIBUTES] });
});

test("serialize: the asked fields in attribute order; texts as text, or as Ruby's encode64 with base64_encoded", () => {
  const r = record(view({ result: run({ stdout: '0123456789'.repeat(5) }) }));
  const text = serialize(r, DEFAULT_FIELDS, false);
  assert.deepEqual(Object.keys(text), [
    'stdout',
    'time',
    'memory',
    'stderr',
    'token',
    'compile_output',
    'message',
    'status',
  ]);
  assert.deepEqual([text.stdout, text.time, text.memory, text.stderr], ['0123456789'.repeat(5), '0.016', 13964, null]);
  assert.deepEqual(serialize(r, ['status_id', 'stdout', 'language_id'], false), {
    language_id: 50,
    stdout: '0123456789'.repeat(5),
    status_id: 3,
  });
  const coded = serialize(r, ['stdout', 'source_code'], true);
  assert.equal(coded.stdout, `${b64('0123456789'.repeat(5)).slice(0, 60)}\n${b64('0123456789'.repeat(5)).slice(60)}\n`);
  assert.equal(coded.source_code, `${b64('int main(void) {}')}\n`);
  assert.equal(encode64(''), '');
});

test('serialize: message base64 only with base64_encoded; additional_files always; output that is not UTF-8 is a ConversionError as text', () => {
  const failed = record(
    view({ result: run({ status: 'RUNTIME_ERROR', exitCode: 3 }) }),
    submission({ additional_files: 'UEsFBgAA' }),
  );
  assert.equal(serialize(failed, ['message'], false).message, 'Exited with error status 3');
  assert.equal(serialize(failed, ['message'], true).message, `${b64('Exited with error status 3')}\n`);
  assert.equal(serialize(failed, ['additional_files'], false).additional_files, 'UEsFBgAA\n');
  assert.equal(serialize(record(view({ result: run() })), ['additional_files'], false).additional_files, null);
  const binary = record(
    view({ result: run({ stdout: Buffer.from([0xff, 0xfe]).toString('base64'), stdoutEncoding: 'base64' }) }),
  );
  assert.throws(() => serialize(binary, ['stdout'], false), ConversionError);
  assert.equal(serialize(binary, ['stdout'], true).stdout, '//4=\n');
});
