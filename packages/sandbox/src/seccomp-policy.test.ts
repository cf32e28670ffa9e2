import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syscallRules } from './seccomp-policy.js';

test('DESIGN.md property 5: every listed family is refused', () => {
  const names = new Set(syscallRules('loopback').map((r) => r.syscall));
  for (const s of ['ptrace', 'mount', 'pivot_root', 'unshare', 'keyctl', 'bpf', 'perf_event_open', 'userfaultfd',
    'kexec_load', 'init_module', 'finit_module', 'reboot', 'swapon', 'syslog', 'acct', 'quotactl', 'open_by_handle_at',
    'io_uring_setup', 'io_uring_enter']) {
    assert.ok(names.has(s), s);
  }
});

test('socket families: an allow-list per network mode, and nothing from the ceiling up', () => {
  const refused = (mode: 'none' | 'loopback') =>
    syscallRules(mode).filter((r) => r.syscall === 'socket').map((r) => `${r.arg?.op} ${r.arg?.value}`);
  const none = refused('none');
  const loopback = refused('loopback');
  for (const family of [0, 2, 10, 3, 9, 15]) assert.ok(none.includes(`eq ${family}`), `none refuses ${family}`);
  for (const family of [1, 16]) assert.ok(!none.includes(`eq ${family}`), `none allows ${family}`);
  for (const family of [2, 10]) assert.ok(!loopback.includes(`eq ${family}`), `loopback allows ${family}`);
  assert.ok(none.includes('ge 17') && loopback.includes('ge 17'), 'AF_PACKET (17), AF_VSOCK (40) and up refused');
});
