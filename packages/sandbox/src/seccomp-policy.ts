/**
 * The box's syscall policy, as data: what the seccomp filter refuses and how.
 * Pure: native/seccomp.ts turns it into BPF for the running architecture.
 *
 * Every rule answers EPERM, so a program sees an ordinary "operation not permitted"
 * rather than being killed, except clone3, which answers ENOSYS: its flags live in a
 * struct seccomp cannot read, and ENOSYS makes libc fall back to clone(2), whose flags
 * we can check. Syscalls the architecture does not have are skipped.
 */

export type NetworkMode = 'none' | 'loopback';

export interface SyscallRule {
  readonly syscall: string;
  readonly errno: 'EPERM' | 'ENOSYS' | 'EACCES';
  /** When present, the rule applies only if (arg[index] & mask) !== 0 or equals value. */
  readonly arg?: { readonly index: number; readonly op: 'masked-any' | 'eq'; readonly value: number };
}

const CLONE_NEWUSER = 0x10000000;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_PACKET = 17;

/** Never needed by a program that computes: kernel-wide, introspection or escape-shaped. */
const ALWAYS_DENIED = [
  // debugging and reading other processes
  'ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp',
  // the mount family and root changes
  'mount', 'umount', 'umount2', 'pivot_root', 'chroot', 'move_mount', 'open_tree', 'fsopen',
  'fsconfig', 'fsmount', 'fspick', 'mount_setattr',
  // namespaces: no new ones, no joining others
  'unshare', 'setns',
  // kernel keyrings
  'keyctl', 'add_key', 'request_key',
  // kernel programmability and observability
  'bpf', 'perf_event_open', 'userfaultfd', 'lookup_dcookie', 'fanotify_init',
  // the machine itself
  'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot',
  'swapon', 'swapoff', 'syslog', 'acct', 'quotactl', 'quotactl_fd', 'iopl', 'ioperm',
  'settimeofday', 'clock_settime', 'clock_adjtime', 'adjtimex', 'vhangup', 'nfsservctl',
  // opening files by handle sidesteps path checks (the "shocker" escape)
  'open_by_handle_at', 'name_to_handle_at',
  // io_uring performs syscalls the filter never sees
  'io_uring_setup', 'io_uring_enter', 'io_uring_register',
] as const;

export function syscallRules(network: NetworkMode): SyscallRule[] {
  const rules: SyscallRule[] = ALWAYS_DENIED.map((syscall) => ({ syscall, errno: 'EPERM' }));
  rules.push({ syscall: 'clone', errno: 'EPERM', arg: { index: cloneFlagsArg(), op: 'masked-any', value: CLONE_NEWUSER } });
  rules.push({ syscall: 'clone3', errno: 'ENOSYS' });
  if (network === 'none') {
    // The box has its own network namespace either way; with 'none' it cannot even open an
    // IP socket, so nothing that listens or connects can be built inside it.
    for (const family of [AF_INET, AF_INET6, AF_PACKET]) {
      rules.push({ syscall: 'socket', errno: 'EACCES', arg: { index: 0, op: 'eq', value: family } });
    }
  }
  return rules;
}

/** clone(2)'s flags are its first argument on x86_64 and aarch64 (s390 differs; unsupported). */
function cloneFlagsArg(): number {
  return 0;
}
