/**
 * A crash in a box never reaches a core_pattern pipe helper. On hosts whose core_pattern
 * pipes to a program (Ubuntu's apport, systemd-coredump), the kernel runs that program as
 * root on the host for every crash whatever RLIMIT_CORE says (0 included): a box that
 * crashes would run host code of our neighbours' choosing, as often as it likes. Boxes
 * have RLIMIT_CORE pinned at one byte (plan/argv.ts CORE_BYTES), which the kernel reads
 * as "no core, not even to a pipe".
 *
 * Setting core_pattern changes the whole machine, so this runs only where the machine is
 * the test's own: the pure cgroup-v2 guest of scripts/test-v2.sh sets
 * CODEBOX_TEST_CORE_PATTERN=1. A control crash outside any box proves the helper runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { boxSkip, ENV, text, useSandbox } from '../support.js';

const PATTERN = '/proc/sys/kernel/core_pattern';
const skip =
  boxSkip('python3') ||
  (process.env.CODEBOX_TEST_CORE_PATTERN !== '1' &&
    "sets the machine's core_pattern: runs in the cgroup-v2 guest (scripts/test-v2.sh)");

describe('core dumps never reach a piped core handler', { skip }, () => {
  const sandbox = useSandbox();

  test('a box that crashes, with any RLIMIT_CORE it can set, starts no helper; a host process does', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-core-'));
    const log = path.join(dir, 'calls');
    const helper = path.join(dir, 'helper');
    fs.writeFileSync(helper, `#!/bin/sh\necho "$@" >> ${log}\ncat > /dev/null\n`, { mode: 0o755 });
    const saved = fs.readFileSync(PATTERN, 'utf8');
    fs.writeFileSync(PATTERN, `|${helper} %p %s`);
    t.after(() => {
      fs.writeFileSync(PATTERN, saved);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const calls = (): string[] =>
      fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
    const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

    // the control: the helper runs for a crash on the host
    spawnSync('sh', ['-c', 'ulimit -c unlimited; kill -SEGV $$'], { stdio: 'ignore' });
    await settle();
    assert.equal(calls().length, 1, 'the helper runs for a host crash');

    const crashes: [string, string[]][] = [
      ['a segfault', ['sh', '-c', 'kill -SEGV $$']],
      ['after ulimit -c 0', ['sh', '-c', 'ulimit -c 0; kill -ABRT $$']],
      ['after ulimit -c unlimited', ['sh', '-c', 'ulimit -c unlimited; kill -QUIT $$']],
      [
        'after setrlimit(RLIMIT_CORE, 0) and prctl(PR_SET_DUMPABLE, 1)',
        [
          'python3',
          '-S',
          '-c',
          'import ctypes, os, resource\nresource.setrlimit(resource.RLIMIT_CORE, (0, 0))\nctypes.CDLL(None).prctl(4, 1, 0, 0, 0)\nos.abort()',
        ],
      ],
    ];
    for (const [what, argv] of crashes) {
      const r = await sandbox().run({ argv, env: ENV });
      assert.equal(r.status, 'RUNTIME_ERROR', `${what}: ${text(r).err}`);
      assert.ok(r.signal !== null, `${what}: died of a signal (${r.exitCode})`);
    }
    await settle();
    assert.equal(calls().length, 1, `the helper ran for a box: ${calls().join('; ')}`);
  });
});
