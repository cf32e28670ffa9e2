/** `codebox doctor` on this host: every part ready, and a box's view beside the host's. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boxSkip } from '../support.js';
import { spawnSync } from 'node:child_process';
import { CLI, codebox } from './cli.js';

describe('codebox doctor', { skip: boxSkip() }, () => {
  test('says what is ready, then what a box sees beside the host', () => {
    const r = codebox(['doctor'], '', { CODEBOX_ROOTFS: 'host' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const part of [
      'root',
      'bubblewrap',
      'prlimit',
      'libseccomp',
      'user namespaces',
      'kernel',
      'cgroups',
      'box init',
      'core dumps',
    ]) {
      assert.match(r.stdout, new RegExp(`\\n  ready  ${part} +\\S`), part);
    }
    // what makes timings noisy: each said, steady or noisy, whatever this host is
    for (const part of ['ASLR', 'THP', 'governor', 'SMT'])
      assert.match(r.stdout, new RegExp(`\\n  (steady|noisy )  ${part} +\\S`), part);
    assert.match(r.stdout, /\ntiming \(what makes cpu times noisy on this host; advice, not needed to run boxes\)\n/);
    const row = (layer: string) => new RegExp(`\\n  ${layer} +(.*?)  +(.*)\\n`).exec(r.stdout)?.slice(1) ?? [];
    const [hostUser, boxUser] = row('user');
    assert.match(hostUser ?? '', /^uid 0 /);
    assert.equal(boxUser, 'uid 65534 (box)');
    assert.equal(row('hostname')[1], 'box');
    assert.match(row('processes')[1] ?? '', /^[1-3] visible$/);
    assert.equal(row('network')[1], 'lo');
    assert.match(row('mounts')[1] ?? '', /, \/ read-only: yes$/);
    assert.equal(row('core dumps')[1], '1 1 bytes');
    assert.match(r.stdout, /\nwhat a box sees \(host root, cgroup v[12]\), beside the host\n/);
    assert.match(r.stdout, /\nready\n$/);
  });

  test('a host part that is not ready: what to do, and exit 1, before any box', () => {
    // the same command as a user who is not root
    const r = spawnSync(process.execPath, [CLI, 'doctor'], {
      uid: 65534,
      gid: 65534,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /\n {2}NOT {4}root +boxes need root/);
    assert.match(r.stdout, /\nnot ready: root\n$/);
    assert.doesNotMatch(r.stdout, /what a box sees/);
    // the control: the same command as root does print that heading (a renamed heading
    // would otherwise make the line above pass whatever the doctor did)
    assert.match(codebox(['doctor'], '', { CODEBOX_ROOTFS: 'host' }).stdout, /\nwhat a box sees /);
  });
});
