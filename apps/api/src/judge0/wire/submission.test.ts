/**
 * A Judge0 submission as Judge0's model takes it (defaults, validations and their 422
 * messages, base64), and the native job it becomes (files, stdin, arguments, limits in
 * native units, number_of_runs as judge mode). test/service/judge0.test.ts pins the same
 * end to end; here each rule alone. No root, no Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeInfo } from '@codebox/protocol';
import { checkSubmission, nativeRequest } from './index.js';
import type { Errors, Submission } from './index.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const LANGUAGE_IDS = new Set([46, 50, 54, 71]);
const PYTHON: RuntimeInfo = {
  id: 'python',
  name: 'Python 3',
  version: '3.11.2',
  aliases: [],
  extensions: ['.py'],
  sourceFile: 'main.py',
  compiled: false,
};
const C: RuntimeInfo = {
  id: 'c',
  name: 'C (GCC)',
  version: '12.2.0',
  aliases: [],
  extensions: ['.c'],
  sourceFile: 'main.c',
  compiled: true,
};

function check(body: unknown, base64 = false, callbackProblem: (url: string) => string | undefined = () => undefined) {
  return checkSubmission(body, base64, LANGUAGE_IDS, callbackProblem);
}
function accepted(body: unknown, base64 = false): Omit<Submission, 'token'> {
  const c = check(body, base64);
  assert.ok('submission' in c, JSON.stringify(c));
  return c.submission;
}
function errors(body: unknown, callbackProblem?: (url: string) => string | undefined): Errors {
  const c = check(body, false, callbackProblem);
  assert.ok('errors' in c, JSON.stringify(c));
  return c.errors;
}

test("Judge0's defaults, config.rb's, in Judge0's units (s, KB); texts kept as base64 of their bytes", () => {
  assert.deepEqual(accepted({ source_code: 'print(1)', language_id: 71 }), {
    language_id: 71,
    source_code: b64('print(1)'),
    stdin: null,
    expected_output: null,
    compiler_options: null,
    command_line_arguments: null,
    cpu_time_limit: 5,
    cpu_extra_time: 1,
    wall_time_limit: 10,
    memory_limit: 128000,
    stack_limit: 64000,
    max_processes_and_or_threads: 60,
    enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    max_file_size: 1024,
    number_of_runs: 1,
    redirect_stderr_to_stdout: false,
    callback_url: null,
    additional_files: null,
    enable_network: false,
  });
});

test("texts: as sent, or decoded from base64 (leniently, as Ruby's decode64); a number is its text", () => {
  assert.equal(accepted({ source_code: 'é', language_id: 71 }).source_code, b64('é'));
  assert.equal(
    accepted({ source_code: b64('print(2)'), language_id: 71, stdin: 'aGk' }, true).stdin,
    'aGk=',
    'no padding: still hi',
  );
  assert.equal(accepted({ source_code: 'x', language_id: 71, stdin: 42 }).stdin, b64('42'));
  assert.equal(accepted({ source_code: 'x', language_id: 71, expected_output: '' }).expected_output, '');
  assert.equal(
    accepted({ source_code: 'x', language_id: 71, additional_files: 'UEsF BgAA' }).additional_files,
    'UEsFBgAA',
    'additional_files: base64 in its usual form',
  );
});

test('limits: numbers or numeric strings; integer fields floored; booleans as Rails casts them', () => {
  const s = accepted({
    source_code: 'x',
    language_id: '71',
    cpu_time_limit: '2.5',
    cpu_extra_time: 0,
    wall_time_limit: 3,
    memory_limit: 65536.9,
    stack_limit: 0,
    max_processes_and_or_threads: 1.5,
    max_file_size: 0,
    number_of_runs: '2',
    redirect_stderr_to_stdout: true,
    enable_network: 'true',
    enable_per_process_and_thread_time_limit: true,
  });
  assert.deepEqual(
    [
      s.language_id,
      s.cpu_time_limit,
      s.cpu_extra_time,
      s.wall_time_limit,
      s.memory_limit,
      s.stack_limit,
      s.max_processes_and_or_threads,
      s.max_file_size,
      s.number_of_runs,
    ],
    [71, 2.5, 0, 3, 65536, 0, 1, 0, 2],
  );
  assert.deepEqual(
    [s.redirect_stderr_to_stdout, s.enable_network, s.enable_per_process_and_thread_time_limit],
    [true, true, true],
    "'true' is true, as Rails casts it",
  );
  assert.equal(
    accepted({ source_code: 'x', language_id: 71, cpu_time_limit: '', memory_limit: null }).cpu_time_limit,
    5,
    'empty is the default',
  );
});

test("source_code of whitespace alone is blank, as Rails' presence reads the decoded bytes", () => {
  for (const source of [' ', '\n\t \r\n', '\v\f'])
    assert.deepEqual(check({ source_code: source, language_id: 71 }), { errors: { source_code: ["can't be blank"] } });
  assert.deepEqual(check({ source_code: b64('  \n'), language_id: 71 }, true), {
    errors: { source_code: ["can't be blank"] },
  });
  assert.ok('submission' in check({ source_code: '\u00a0', language_id: 71 }), "a byte past ASCII is not Ruby's space");
  assert.ok('submission' in check({ source_code: '\0', language_id: 71 }), 'nor is NUL');
});

test("422: Judge0's messages, each under its attribute, in the model's order", () => {
  assert.deepEqual(errors({ source_code: 'x' }), {
    language_id: ["can't be blank", "language with id  doesn't exist"],
  });
  assert.deepEqual(errors({ source_code: '', language_id: 999 }), {
    source_code: ["can't be blank"],
    language_id: ["language with id 999 doesn't exist"],
  });
  assert.deepEqual(errors({ language_id: '7a' }), {
    source_code: ["can't be blank"],
    language_id: ["language with id 7a doesn't exist"],
  });
  const limits = errors({
    source_code: 'x',
    language_id: 71,
    number_of_runs: 0,
    cpu_time_limit: 100,
    memory_limit: 10 ** 9,
    wall_time_limit: 0.5,
    stack_limit: 'big',
    max_processes_and_or_threads: 0,
    max_file_size: 5000,
    cpu_extra_time: -1,
  });
  assert.deepEqual(limits, {
    cpu_time_limit: ['must be less than or equal to 15.0'],
    cpu_extra_time: ['must be greater than or equal to 0'],
    wall_time_limit: ['must be greater than or equal to 1'],
    memory_limit: ['must be less than or equal to 512000'],
    stack_limit: ['is not a number'],
    max_processes_and_or_threads: ['must be greater than 0'],
    max_file_size: ['must be less than or equal to 4096'],
    number_of_runs: ['must be greater than 0'],
  });
  assert.deepEqual(
    Object.keys(limits),
    [
      'cpu_time_limit',
      'cpu_extra_time',
      'wall_time_limit',
      'memory_limit',
      'stack_limit',
      'max_processes_and_or_threads',
      'max_file_size',
      'number_of_runs',
    ],
    "the JSON's order",
  );
  assert.deepEqual(errors({ source_code: 'x', language_id: 71, memory_limit: 100, number_of_runs: 21 }), {
    memory_limit: ['must be greater than or equal to 2048'],
    number_of_runs: ['must be less than or equal to 20'],
  });
});

test('422: strings too long; a callback the policy refuses, with its words', () => {
  assert.deepEqual(
    errors({
      source_code: 'x',
      language_id: 71,
      compiler_options: 'o'.repeat(513),
      command_line_arguments: 'a'.repeat(513),
      callback_url: `http://x/${'p'.repeat(2048)}`,
    }),
    {
      compiler_options: ['is too long (maximum is 512 characters)'],
      command_line_arguments: ['is too long (maximum is 512 characters)'],
      callback_url: ['is too long (maximum is 2048 characters)'],
    },
  );
  const asked: string[] = [];
  const problem = (url: string) => (asked.push(url), 'is not allowed: this server does not call back to that host');
  assert.deepEqual(errors({ source_code: 'x', language_id: 71, callback_url: 'http://10.0.0.1/' }, problem), {
    callback_url: ['is not allowed: this server does not call back to that host'],
  });
  assert.deepEqual(asked, ['http://10.0.0.1/']);
  assert.equal(
    accepted({ source_code: 'x', language_id: 71, callback_url: 'https://example.com/done' }).callback_url,
    'https://example.com/done',
  );
});

const submission = (more: Partial<Omit<Submission, 'token'>> = {}): Omit<Submission, 'token'> => ({
  ...accepted({ source_code: 'print(input())', language_id: 71 }),
  ...more,
});

test("the native job: the source under the runtime's name, stdin byte for byte, no arguments, Judge0's limits in ms and bytes", () => {
  assert.deepEqual(nativeRequest(submission({ stdin: b64('hi') }), PYTHON, []), {
    language: 'python',
    files: [{ name: 'main.py', content: b64('print(input())'), encoding: 'base64' }],
    limits: {
      cpuMs: 6000,
      wallMs: 10_000,
      memoryBytes: 128000 * 1024,
      pids: 60,
      stackBytes: 64000 * 1024,
      fileSizeBytes: 1024 * 1024,
      outputBytes: 1024 * 1024,
    },
    stdin: b64('hi'),
    stdinEncoding: 'base64',
  });
  assert.equal(nativeRequest(submission(), PYTHON, []).stdin, '', 'no stdin: empty');
});

test("limits: 0 is Judge0's maximum (isolate reads 0 as none), and each has a floor", () => {
  const zero = nativeRequest(
    submission({ cpu_time_limit: 0, cpu_extra_time: 0, stack_limit: 0, max_file_size: 0 }),
    PYTHON,
    [],
  ).limits;
  assert.deepEqual(
    [zero?.cpuMs, zero?.stackBytes, zero?.fileSizeBytes, zero?.outputBytes],
    [15_000, 128000 * 1024, 4096 * 1024, 4096 * 1024],
  );
  const low = nativeRequest(
    submission({
      cpu_time_limit: 0.0001,
      cpu_extra_time: 0,
      memory_limit: 2048,
      max_processes_and_or_threads: 1,
      stack_limit: 1,
      max_file_size: 0.5,
      wall_time_limit: 1.2345,
    }),
    PYTHON,
    [],
  ).limits;
  assert.deepEqual(low, {
    cpuMs: 1,
    wallMs: 1235,
    memoryBytes: 4 << 20,
    pids: 2,
    stackBytes: 64 * 1024,
    fileSizeBytes: 1024,
    outputBytes: 1024,
  });
  assert.equal(
    nativeRequest(submission({ cpu_time_limit: 0.3, cpu_extra_time: 0.1 }), PYTHON, []).limits?.cpuMs,
    400,
    'killed at time + extra time',
  );
});

test("arguments as Judge0's bash splits them, never a shell; compiler options only for a compiled language; the flags", () => {
  const r = nativeRequest(
    submission({
      command_line_arguments: ' a  b;rm -rf / $HOME "hello world" \'it"s\' x\\ y ',
      compiler_options: '-DGREETING="\\"hi there\\""  -O0',
      redirect_stderr_to_stdout: true,
      enable_network: true,
    }),
    C,
    [],
  );
  assert.deepEqual(
    r.args,
    ['a', 'brm', '-rf', '/', 'HOME', 'hello world', 'it"s', 'x y'],
    '$&;<>|` removed as Judge0 does',
  );
  assert.deepEqual(r.compileArgs, ['-DGREETING="hi there"', '-O0']);
  assert.deepEqual([r.stderrToStdout, r.network], [true, true]);
  const interpreted = nativeRequest(submission({ compiler_options: '-O', command_line_arguments: '   ' }), PYTHON, []);
  assert.deepEqual(
    ['args' in interpreted, 'compileArgs' in interpreted, 'stderrToStdout' in interpreted, 'network' in interpreted],
    [false, false, false, false],
  );
});

test("arguments bash would refuse are a 422 naming the field: Judge0's run or compile would fail on them", () => {
  assert.deepEqual(errors({ source_code: 'x', language_id: 71, command_line_arguments: 'a "b' }), {
    command_line_arguments: [
      'has an unmatched " (Judge0\'s bash fails: unexpected EOF while looking for matching `"\')',
    ],
  });
  assert.deepEqual(errors({ source_code: 'x', language_id: 50, compiler_options: "-DX='y" }), {
    compiler_options: ["has an unmatched ' (Judge0's bash fails: unexpected EOF while looking for matching `'')"],
  });
  assert.deepEqual(errors({ source_code: 'x', language_id: 71, command_line_arguments: 'f(x)' }), {
    command_line_arguments: ["has an unquoted ( (Judge0's bash fails: syntax error near unexpected token `(')"],
  });
  assert.ok('submission' in check({ source_code: 'x', language_id: 71, command_line_arguments: '"f(x)" \\(' }));
});

test('additional files beside the source, as base64; the source wins a name clash', () => {
  const extra = [
    { name: 'data/input.txt', content: Buffer.from('from the zip') },
    { name: 'main.py', content: Buffer.from('not the source') },
  ];
  assert.deepEqual(nativeRequest(submission(), PYTHON, extra).files, [
    { name: 'main.py', content: b64('print(input())'), encoding: 'base64' },
    { name: 'data/input.txt', content: b64('from the zip'), encoding: 'base64' },
  ]);
});

test("number_of_runs: judge mode, each run with the same stdin; with expected_output Judge0's rule and the first failure stops", () => {
  const judged = nativeRequest(
    submission({ number_of_runs: 3, stdin: b64('in'), expected_output: b64('out') }),
    PYTHON,
    [],
  );
  assert.deepEqual(judged.tests, [
    { stdin: 'in', expectedOutput: 'out' },
    { stdin: 'in', expectedOutput: 'out' },
    { stdin: 'in', expectedOutput: 'out' },
  ]);
  assert.deepEqual(
    [judged.checker, judged.stopOnFirstFailure, 'stdin' in judged],
    ['trailing-whitespace', true, false],
  );
  const unjudged = nativeRequest(submission({ number_of_runs: 2 }), PYTHON, []);
  assert.deepEqual(unjudged.tests, [
    { stdin: '', expectedOutput: '' },
    { stdin: '', expectedOutput: '' },
  ]);
  assert.deepEqual(
    [unjudged.checker, 'stopOnFirstFailure' in unjudged],
    ['exact', false],
    'no expected output: every run runs',
  );
});

test('booleans as Rails casts them (a form sends text): its false words are false, other text true, blank the default', () => {
  const flag = (v: unknown) =>
    accepted({ source_code: 'x', language_id: 71, redirect_stderr_to_stdout: v }).redirect_stderr_to_stdout;
  for (const v of [false, 0, '0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF', '', null, undefined])
    assert.equal(flag(v), false, String(v));
  for (const v of [true, 1, '1', 't', 'true', 'TRUE', 'on', 'yes']) assert.equal(flag(v), true, String(v));
});
