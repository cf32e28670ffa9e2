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

test('network none refuses IP sockets; loopback allows them', () => {
  const socketRules = (mode: 'none' | 'loopback') => syscallRules(mode).filter((r) => r.syscall === 'socket');
  assert.equal(socketRules('loopback').length, 0);
  assert.deepEqual(socketRules('none').map((r) => r.arg?.value).sort((a, b) => (a ?? 0) - (b ?? 0)), [2, 10, 17]);
});
