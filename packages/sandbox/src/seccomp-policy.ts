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
  /**
   * When present, the rule applies only if the argument, compared as the full 64-bit
   * register: has any bit of value (masked-any), equals value (eq), or is >= value (ge).
   */
  readonly arg?: { readonly index: number; readonly op: 'masked-any' | 'eq' | 'ge'; readonly value: number };
}

const CLONE_NEWUSER = 0x10000000;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
/** above every family the allow-lists name; anything from here up is refused */
const FAMILY_CEILING = AF_NETLINK + 1;

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
  // descriptors and memory of another process through a pidfd (the box's own pid 1 is
  // bwrap's init, same uid): ptrace by other names
  'pidfd_getfd', 'process_madvise', 'process_mrelease',
] as const;

/**
 * Socket families a box may open. Everything else is refused: AF_VSOCK reaches the
 * hypervisor's host whatever the network namespace, AF_ALG is the kernel's crypto API,
 * AF_PACKET raw frames. Netlink stays (glibc's getaddrinfo and getifaddrs use it; it
 * sees only the box's own namespace).
 */
export const SOCKET_FAMILIES: Readonly<Record<NetworkMode, readonly number[]>> = {
  none: [AF_UNIX, AF_NETLINK],
  loopback: [AF_UNIX, AF_INET, AF_INET6, AF_NETLINK],
};

export function syscallRules(network: NetworkMode): SyscallRule[] {
  const rules: SyscallRule[] = ALWAYS_DENIED.map((syscall) => ({ syscall, errno: 'EPERM' }));
  rules.push({ syscall: 'clone', errno: 'EPERM', arg: { index: cloneFlagsArg(), op: 'masked-any', value: CLONE_NEWUSER } });
  rules.push({ syscall: 'clone3', errno: 'ENOSYS' });
  // the allow-list as refusals: each small family not on it, and everything from the
  // ceiling up, which also catches a family with bits set above the 32 the kernel reads
  for (let family = 0; family < FAMILY_CEILING; family++) {
    if (!SOCKET_FAMILIES[network].includes(family)) {
      rules.push({ syscall: 'socket', errno: 'EACCES', arg: { index: 0, op: 'eq', value: family } });
    }
  }
  rules.push({ syscall: 'socket', errno: 'EACCES', arg: { index: 0, op: 'ge', value: FAMILY_CEILING } });
  return rules;
}

/** clone(2)'s flags are its first argument on x86_64 and aarch64 (s390 differs; unsupported). */
function cloneFlagsArg(): number {
  return 0;
}
