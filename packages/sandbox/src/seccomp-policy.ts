/**
 * The box's syscall policy, as data: what the seccomp filter refuses and how.
 * Pure: native/seccomp.ts turns it into BPF for the running architecture.
 *
 * Every rule answers EPERM, so a program sees an ordinary "operation not permitted"
 * rather than being killed, except: clone3, which answers ENOSYS (its flags live in a
 * struct seccomp cannot read, and ENOSYS makes libc fall back to clone(2), whose flags
 * we can check); socket families and read-side inotify watches, which answer EACCES as
 * the kernel's own refusals do; and a change of RLIMIT_CORE, which is skipped and
 * answers success (see below). Syscalls the architecture does not have are skipped.
 */

export type NetworkMode = 'none' | 'loopback';

export interface ArgTest {
  readonly index: number;
  /**
   * compared as the full 64-bit register: has the one bit `value` set (bit-set), equals
   * value (eq), differs from it (ne), or is >= value (ge)
   */
  readonly op: 'bit-set' | 'eq' | 'ne' | 'ge';
  readonly value: number;
}

export interface SyscallRule {
  readonly syscall: string;
  /** OK: the call is not made and answers 0, as if it had succeeded */
  readonly errno: 'EPERM' | 'ENOSYS' | 'EACCES' | 'OK';
  /** When present, the rule applies only if every test holds. */
  readonly args?: readonly ArgTest[];
}

const CLONE_NEWUSER = 0x10000000;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
/** above every family the allow-lists name; anything from here up is refused */
const FAMILY_CEILING = AF_INET6 + 1;
const RLIMIT_CORE = 4;
/** inotify events that report another process reading a file: IN_ACCESS, IN_CLOSE_NOWRITE, IN_OPEN */
const INOTIFY_READ_EVENTS = [0x1, 0x10, 0x20];

/** Never needed by a program that computes: kernel-wide, introspection or escape-shaped. */
const ALWAYS_DENIED = [
  // debugging and reading other processes
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kcmp',
  // the mount family and root changes
  'mount',
  'umount',
  'umount2',
  'pivot_root',
  'chroot',
  'move_mount',
  'open_tree',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'mount_setattr',
  // namespaces: no new ones, no joining others
  'unshare',
  'setns',
  // kernel keyrings
  'keyctl',
  'add_key',
  'request_key',
  // kernel programmability and observability
  'bpf',
  'perf_event_open',
  'userfaultfd',
  'lookup_dcookie',
  'fanotify_init',
  // the machine itself
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'reboot',
  'swapon',
  'swapoff',
  'syslog',
  'acct',
  'quotactl',
  'quotactl_fd',
  'iopl',
  'ioperm',
  'settimeofday',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  'vhangup',
  'nfsservctl',
  // opening files by handle sidesteps path checks (the "shocker" escape)
  'open_by_handle_at',
  'name_to_handle_at',
  // io_uring performs syscalls the filter never sees
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  // descriptors and memory of another process through a pidfd (the box's own pid 1 is
  // bwrap's init, same uid): ptrace by other names
  'pidfd_getfd',
  'process_madvise',
  'process_mrelease',
] as const;

/**
 * Socket families a box may open. Everything else is refused: AF_VSOCK reaches the
 * hypervisor's host whatever the network namespace, AF_ALG is the kernel's crypto API,
 * AF_PACKET raw frames. AF_NETLINK too: its queues are never charged to the box's memory
 * cgroup (one 16 MiB box pinned 1 GiB of the host's), and nothing a program computes needs
 * it. glibc's getaddrinfo(AI_ADDRCONFIG) does without (it then assumes IPv4 and IPv6);
 * getifaddrs(), if_nameindex() and what is built on them (Node's os.networkInterfaces())
 * fail, as they would on a kernel without netlink.
 */
export const SOCKET_FAMILIES: Readonly<Record<NetworkMode, readonly number[]>> = {
  none: [AF_UNIX],
  loopback: [AF_UNIX, AF_INET, AF_INET6],
};

export function syscallRules(network: NetworkMode): SyscallRule[] {
  const rules: SyscallRule[] = ALWAYS_DENIED.map((syscall) => ({ syscall, errno: 'EPERM' }));
  rules.push({
    syscall: 'clone',
    errno: 'EPERM',
    args: [{ index: cloneFlagsArg(), op: 'bit-set', value: CLONE_NEWUSER }],
  });
  rules.push({ syscall: 'clone3', errno: 'ENOSYS' });
  // the allow-list as refusals: each family not on it, and everything from the ceiling
  // up, which also catches a family with bits set above the 32 the kernel reads
  for (let family = 0; family < FAMILY_CEILING; family++) {
    if (!SOCKET_FAMILIES[network].includes(family)) {
      rules.push({ syscall: 'socket', errno: 'EACCES', args: [{ index: 0, op: 'eq', value: family }] });
    }
  }
  rules.push({ syscall: 'socket', errno: 'EACCES', args: [{ index: 0, op: 'ge', value: FAMILY_CEILING }] });
  // Cores: the launcher sets RLIMIT_CORE to 1 byte, which the kernel reads as "no core
  // file, and never start a core_pattern pipe helper" (a root program on the host, e.g.
  // apport or systemd-coredump, that 0 does not keep away). A program may not lower it to
  // 0; a change is skipped and answers success, so `ulimit -c 0` still works as a script
  // expects (no core either way).
  rules.push({ syscall: 'setrlimit', errno: 'OK', args: [{ index: 0, op: 'eq', value: RLIMIT_CORE }] });
  rules.push({
    syscall: 'prlimit64',
    errno: 'OK',
    args: [
      { index: 1, op: 'eq', value: RLIMIT_CORE },
      { index: 2, op: 'ne', value: 0 },
    ],
  });
  // The read-only root is shared by every box and the host: a watch for opens or reads
  // there would show one box which files another box (or the host) uses. Watches for
  // changes (what editors, dev servers and tail -f ask) stay allowed: nothing changes there.
  for (const bit of INOTIFY_READ_EVENTS) {
    rules.push({ syscall: 'inotify_add_watch', errno: 'EACCES', args: [{ index: 2, op: 'bit-set', value: bit }] });
  }
  return rules;
}

/** clone(2)'s flags are its first argument on x86_64 and aarch64 (s390 differs; unsupported). */
function cloneFlagsArg(): number {
  return 0;
}
