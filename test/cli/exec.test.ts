/** `codebox exec` as a user runs it: the built CLI, a real box, real stdio. */
import assert from 'node:assert/strict';
import type { ResultJson } from '@codebox/protocol';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { boxSkip } from '../support.js';
import { CLI, codebox } from './cli.js';

describe('codebox exec: usage errors', () => {
  const cases: [string[], RegExp][] = [
    [['exec', '--time', '2x', '--', 'true'], /^codebox: --time: "2x" is not a duration such as 2s or 500ms\n$/],
    [
      ['exec', '--mem', '100g', '--', 'true'],
      /^codebox: limits\.memoryBytes: 107374182400 is over the maximum 4294967296\n$/,
    ],
    [['exec', '--frobnicate', '--', 'true'], /^codebox: unknown flag --frobnicate/],
    [['exec', '--pids', '0', '--', 'true'], /^codebox: limits\.pids: must be at least 2\n$/],
    [['exec', '--cpus', '9', '--', 'true'], /^codebox: limits\.cpus: 9 is over the maximum 4\n$/],
    [['exec', '--json'], /^codebox: no command given/],
    [['launch'], /^codebox: unknown command "launch"/],
  ];
  for (const [args, message] of cases) {
    test(args.join(' '), () => {
      const r = codebox(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
      assert.equal(r.stdout, '');
    });
  }
  test('a bad environment variable is one line naming it', () => {
    const r = spawnSync(process.execPath, [CLI, 'exec', '--', 'true'], {
      env: { PATH: process.env.PATH, CODEBOX_UID_COUNT: 'lots' },
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr.toString(), /^codebox: CODEBOX_UID_COUNT="lots": must be a whole number/);
  });
});

describe('codebox exec: runs', { skip: boxSkip('python3') }, () => {
  test('--json prints one object with the verdict and accounting', () => {
    const r = codebox([
      'exec',
      '--json',
      '--time',
      '2s',
      '--mem',
      '128m',
      '--',
      'python3',
      '-c',
      'print("hello from the box")',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as ResultJson;
    assert.deepEqual(Object.keys(j).sort(), [
      'cpuMs',
      'exitCode',
      'memoryBytes',
      'signal',
      'status',
      'stderr',
      'stderrEncoding',
      'stderrTruncated',
      'stdout',
      'stdoutEncoding',
      'stdoutTruncated',
      'wallMs',
    ]);
    assert.equal(j.status, 'OK');
    assert.equal(j.stdout, 'hello from the box\n');
    assert.equal(j.stdoutEncoding, 'utf8');
    assert.ok(j.cpuMs > 0 && j.wallMs > 0 && j.memoryBytes > 0);
  });

  test('without --json: output as it comes, stdin passed through, the exit code passed back', () => {
    const r = codebox(['exec', '--', 'sh', '-c', 'tr a-z A-Z; echo oops >&2; exit 3'], 'shout\n');
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'SHOUT\n');
    assert.equal(r.stderr, 'oops\n');
  });

  test('a limit verdict: TIME_LIMIT in JSON; a note on stderr and 128+9 without', () => {
    const j = JSON.parse(
      codebox(['exec', '--json', '--time', '300ms', '--', 'sh', '-c', 'while :; do :; done']).stdout,
    ) as ResultJson;
    assert.equal(j.status, 'TIME_LIMIT');
    assert.equal(j.signal, 'SIGKILL');
    const r = codebox(['exec', '--wall', '300ms', '--', 'sleep', '10']);
    assert.equal(r.code, 137);
    assert.match(r.stderr, /^codebox: WALL_TIME_LIMIT/);
  });

  test('non-UTF-8 output is carried as base64, without loss', () => {
    const j = JSON.parse(codebox(['exec', '--json', '--', 'printf', '\\377\\000ok']).stdout) as ResultJson;
    assert.equal(j.stdoutEncoding, 'base64');
    assert.deepEqual(Buffer.from(j.stdout, 'base64'), Buffer.from([0xff, 0x00, 0x6f, 0x6b]));
  });

  test('--output caps each stream: OUTPUT_LIMIT, truncated', () => {
    const j = JSON.parse(codebox(['exec', '--json', '--output', '1k', '--', 'yes']).stdout) as ResultJson;
    assert.equal(j.status, 'OUTPUT_LIMIT');
    assert.equal(j.stdout.length, 1024);
    assert.equal(j.stdoutTruncated, true);
  });
});
