import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syscallRules } from './seccomp-policy.js';

test('DESIGN.md property 5: every listed family is refused', () => {
  const names = new Set(syscallRules('loopback').map((r) => r.syscall));
  for (const s of [
    'ptrace',
    'mount',
    'pivot_root',
    'unshare',
    'keyctl',
    'bpf',
    'perf_event_open',
    'userfaultfd',
    'kexec_load',
    'init_module',
    'finit_module',
    'reboot',
    'swapon',
    'syslog',
    'acct',
    'quotactl',
    'open_by_handle_at',
    'io_uring_setup',
    'io_uring_enter',
  ]) {
    assert.ok(names.has(s), s);
  }
});

test('socket families: an allow-list per network mode, and nothing from the ceiling up', () => {
  const refused = (mode: 'none' | 'loopback') =>
    syscallRules(mode)
      .filter((r) => r.syscall === 'socket')
      .map((r) => `${r.args?.[0]?.op} ${r.args?.[0]?.value}`);
  const none = refused('none');
  const loopback = refused('loopback');
  for (const family of [0, 2, 10, 3, 9]) assert.ok(none.includes(`eq ${family}`), `none refuses ${family}`);
  assert.ok(!none.includes('eq 1'), 'none allows unix');
  for (const family of [1, 2, 10]) assert.ok(!loopback.includes(`eq ${family}`), `loopback allows ${family}`);
  assert.ok(
    none.includes('ge 11') && loopback.includes('ge 11'),
    'netlink (16), AF_PACKET (17), AF_VSOCK (40) and up refused',
  );
});

test('RLIMIT_CORE cannot be changed; read-side inotify watches are refused', () => {
  const rules = syscallRules('none');
  const prlimit = rules.find((r) => r.syscall === 'prlimit64');
  assert.deepEqual(prlimit, {
    syscall: 'prlimit64',
    errno: 'OK',
    args: [
      { index: 1, op: 'eq', value: 4 },
      { index: 2, op: 'ne', value: 0 },
    ],
  });
  const watched = rules.filter((r) => r.syscall === 'inotify_add_watch').map((r) => r.args?.[0]?.value);
  assert.deepEqual(watched, [0x1, 0x10, 0x20]);
});
