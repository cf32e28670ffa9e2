import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ENV, parseExecArgs } from './exec-args.js';
import { UsageError } from './usage-error.js';

test('limit flags become limits in the engine units', () => {
  const a = parseExecArgs([
    '--time',
    '2s',
    '--wall=5s',
    '--mem',
    '256m',
    '--pids',
    '64',
    '--output',
    '1m',
    '--',
    'python3',
    '-c',
    'pass',
  ]);
  assert.deepEqual(a.limits, { cpuMs: 2000, wallMs: 5000, memoryBytes: 256 * 2 ** 20, pids: 64, outputBytes: 2 ** 20 });
  assert.deepEqual(a.command, ['python3', '-c', 'pass']);
  assert.equal(a.network, 'none');
  assert.equal(a.json, false);
});

test('--net, --json, --rootfs, --env; the command may follow without --', () => {
  const a = parseExecArgs(['--net', '--json', '--rootfs', '/srv/root', '--env', 'A=b=c', 'echo', '--time']);
  assert.equal(a.network, 'loopback');
  assert.equal(a.json, true);
  assert.equal(a.rootfs, '/srv/root');
  assert.deepEqual(a.env, { ...DEFAULT_ENV, A: 'b=c' });
  assert.deepEqual(a.command, ['echo', '--time']);
});

test('bad flags and values are usage errors naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--time', 'soon', '--', 'x'], /--time: "soon" is not a duration/],
    [['--mem', '12q', '--', 'x'], /--mem: "12q" is not a size/],
    [['--pids', '1.5', '--', 'x'], /--pids: "1.5" is not a whole number/],
    [['--bogus', '--', 'x'], /unknown flag --bogus/],
    [['--time'], /--time needs a value/],
    [['--json', '--'], /no command given/],
    [['--env', 'NOEQUALS', '--', 'x'], /--env: "NOEQUALS" is not NAME=VALUE/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseExecArgs(argv),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      argv.join(' '),
    );
  }
});
