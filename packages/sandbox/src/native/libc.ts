/**
 * What libc has and Node lacks, bound with koffi.
 *
 * Contract: every function returns normally or throws a NativeError carrying the
 * syscall name and errno. Nothing here runs between fork and exec: these are calls
 * the engine makes from its own process (pidfds, the work-dir tmpfs, pipes).
 *
 * Syscall numbers for pidfd_open (434) and pidfd_send_signal (424) are the same on
 * x86_64 and aarch64 (the unified table since Linux 5.1); we call them through
 * syscall(2) because glibc only wraps them from 2.36.
 */
import koffi from 'koffi';
import fs from 'node:fs';
import os from 'node:os';

const SYS_pidfd_send_signal = 424;
const SYS_pidfd_open = 434;
/** openat2(2), Linux 5.6: same number on x86_64 and aarch64 */
const SYS_openat2 = 437;

export const MS_NOSUID = 0x2;
export const MS_REMOUNT = 0x20;
export const MS_NODEV = 0x4;
export const MNT_DETACH = 0x2;
const O_CLOEXEC = 0o2000000;
const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;
const WEXITED = 4;
const P_PIDFD = 3;
/** siginfo_t is 128 bytes; si_pid sits at offset 16 on x86_64 and aarch64 */
const SIGINFO_SIZE = 128;
const SI_PID_OFFSET = 16;
const F_DUPFD_CLOEXEC = 1030;
const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

export class NativeError extends Error {
  readonly errno: number;
  readonly syscall: string;
  constructor(syscall: string, errno: number, detail?: string) {
    super(`${syscall}${detail ? ` ${detail}` : ''}: ${errnoName(errno)} (errno ${errno})`);
    this.name = 'NativeError';
    this.syscall = syscall;
    this.errno = errno;
  }
}

export function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(os.constants.errno)) {
    if (value === errno) return name;
  }
  return `E${errno}`;
}

interface Bindings {
  syscall2: (nr: number, a: number, b: number) => number;
  syscall4: (nr: number, a: number, b: number, c: null, d: number) => number;
  openat2: (dirfd: number, path: string, how: Buffer) => number;
  mount: (src: string, target: string, fstype: string, flags: number, data: string) => number;
  umount2: (target: string, flags: number) => number;
  pipe2: (fds: number[], flags: number) => number;
  fcntl: (fd: number, cmd: number, arg: number) => number;
  close: (fd: number) => number;
  prctl: (option: number, arg: number) => number;
  waitid: (idtype: number, id: number, info: Buffer, options: number) => number;
  sendmsg: (fd: number, msg: Buffer, flags: number) => number;
  ioctlInt: (fd: number, request: number, arg: number) => number;
  ioctlPtr: (fd: number, request: number, arg: Buffer) => number;
}

let bound: Bindings | undefined;

function libc(): Bindings {
  if (bound) return bound;
  const lib = koffi.load('libc.so.6');
  // syscall(2) and fcntl(2) are variadic: koffi wants each call's argument types spelled out.
  const syscall = lib.func('long syscall(long nr, ...)');
  const fcntl = lib.func('int fcntl(int fd, int cmd, ...)');
  const pipe2 = lib.func('int pipe2(_Out_ int *fds, int flags)');
  const prctl = lib.func('int prctl(int option, ...)');
  const ioctl = lib.func('int ioctl(int fd, unsigned long request, ...)');
  const sendmsg = lib.func('intptr_t sendmsg(int fd, const uint8_t *msg, int flags)');
  bound = {
    syscall2: (nr, a, b) => Number(syscall(nr, 'int', a, 'unsigned int', b)),
    syscall4: (nr, a, b, c, d) => Number(syscall(nr, 'int', a, 'int', b, 'void *', c, 'unsigned int', d)),
    openat2: (dirfd, path, how) =>
      Number(syscall(SYS_openat2, 'int', dirfd, 'const char *', path, 'uint8_t *', how, 'size_t', how.length)),
    mount: lib.func(
      'int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)',
    ),
    umount2: lib.func('int umount2(const char *target, int flags)'),
    pipe2: (fds, flags) => {
      const out = [-1, -1];
      const rc = Number(pipe2(out, flags));
      fds[0] = out[0] ?? -1;
      fds[1] = out[1] ?? -1;
      return rc;
    },
    fcntl: (fd, cmd, arg) => Number(fcntl(fd, cmd, 'int', arg)),
    close: lib.func('int close(int fd)'),
    prctl: (option, arg) =>
      Number(prctl(option, 'unsigned long', arg, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0)),
    waitid: lib.func('int waitid(int idtype, uint32_t id, _Out_ uint8_t *info, int options)'),
    // the msghdr is built by hand (sendFds): its pointers are the buffers' own addresses
    sendmsg: (fd, msg, flags) => Number(sendmsg(fd, msg, flags)),
    ioctlInt: (fd, request, arg) => Number(ioctl(fd, request, 'int', arg)),
    ioctlPtr: (fd, request, arg) => Number(ioctl(fd, request, 'uint8_t *', arg)),
  };
  return bound;
}

function check(rc: number, syscall: string, detail?: string): number {
  if (rc < 0) throw new NativeError(syscall, koffi.errno(), detail);
  return rc;
}

/** A pidfd: a handle on one process that cannot be confused with a later reuse of its pid. */
export function pidfdOpen(pid: number): number {
  return check(libc().syscall2(SYS_pidfd_open, pid, 0), 'pidfd_open', `pid ${pid}`);
}

/** Sends a signal through a pidfd. ESRCH (already gone) is not an error: the goal is reached. */
export function pidfdSendSignal(pidfd: number, signal: number): void {
  const rc = libc().syscall4(SYS_pidfd_send_signal, pidfd, signal, null, 0);
  if (rc < 0) {
    const errno = koffi.errno();
    if (errno === os.constants.errno.ESRCH) return;
    throw new NativeError('pidfd_send_signal', errno);
  }
}

/** whether the process a pidfd refers to still exists (running, or a zombie not yet reaped) */
export function pidfdExists(pidfd: number): boolean {
  const rc = libc().syscall4(SYS_pidfd_send_signal, pidfd, 0, null, 0);
  if (rc === 0) return true;
  const errno = koffi.errno();
  if (errno === os.constants.errno.ESRCH) return false;
  throw new NativeError('pidfd_send_signal', errno, 'signal 0');
}

/** openat2 resolve flags (include/uapi/linux/openat2.h) */
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;

/**
 * openat2(2): the kernel resolves `path` under `dirfd` with the given restrictions, so a
 * symlink anywhere in it is refused (ELOOP/EXDEV) rather than followed. Returns the fd,
 * or the errno as a negative number for the caller to judge (ELOOP, ENXIO…).
 */
export function openat2(dirfd: number, path: string, flags: number, resolve: number): number {
  const how = Buffer.alloc(24); // struct open_how { u64 flags, mode, resolve }
  how.writeBigUInt64LE(BigInt(flags), 0);
  how.writeBigUInt64LE(BigInt(resolve), 16);
  const fd = libc().openat2(dirfd, path, how);
  return fd < 0 ? -koffi.errno() : fd;
}

/** a second descriptor for the same open file (close-on-exec) */
export function dupFd(fd: number): number {
  return check(libc().fcntl(fd, F_DUPFD_CLOEXEC, 3), 'fcntl', 'F_DUPFD_CLOEXEC');
}

/** reads of it answer EAGAIN rather than wait: it is read on the event loop's thread */
export function setNonBlocking(fd: number): void {
  const flags = check(libc().fcntl(fd, F_GETFL, 0), 'fcntl', 'F_GETFL');
  check(libc().fcntl(fd, F_SETFL, flags | O_NONBLOCK), 'fcntl', 'F_SETFL');
}

export function closeFd(fd: number): void {
  libc().close(fd);
}

/** A real pipe (not the socketpair Node's stdio 'pipe' makes: `echo > /dev/stdout` fails on a socket). */
export function pipe(): { read: number; write: number } {
  const fds = [-1, -1];
  check(libc().pipe2(fds, O_CLOEXEC), 'pipe2');
  return { read: fds[0] ?? -1, write: fds[1] ?? -1 };
}

export const MS_NOEXEC = 0x8;

/** a devpts of its own (newinstance): its terminals are no other's, its count capped by max= */
export function mountDevpts(target: string, options: string): void {
  check(libc().mount('devpts', target, 'devpts', MS_NOSUID | MS_NOEXEC, options), 'mount', `devpts on ${target}`);
}

export function mountTmpfs(target: string, flags: number, options: string): void {
  check(libc().mount('tmpfs', target, 'tmpfs', flags, options), 'mount', `tmpfs on ${target}`);
}

/** Lazily detaches a mount. EINVAL (not a mount point) and ENOENT are not errors: it is gone. */
export function unmount(target: string): void {
  const rc = libc().umount2(target, MNT_DETACH);
  if (rc < 0) {
    const errno = koffi.errno();
    if (errno === os.constants.errno.EINVAL || errno === os.constants.errno.ENOENT) return;
    throw new NativeError('umount2', errno, target);
  }
}

/**
 * Marks every inherited descriptor >= 3 close-on-exec. Whatever started the engine may have
 * leaked descriptors into it; without this they would pass through the launcher into the box.
 */
export function closeOnExecInherited(listFds: () => number[]): void {
  for (const fd of listFds()) {
    if (fd < 3) continue;
    const flags = libc().fcntl(fd, F_GETFD, 0);
    if (flags < 0 || flags & FD_CLOEXEC) continue;
    libc().fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

/**
 * Makes this process the reaper of its orphaned descendants. bwrap's outer process exits
 * as soon as the box's init reports the program's status, while that init is still
 * tearing down the box's pid namespace; without this the init would be reparented to
 * the host's pid 1 (which in a container may never reap it) and the run would end
 * before its last process did.
 */
export function becomeSubreaper(): void {
  check(libc().prctl(PR_SET_CHILD_SUBREAPER, 1), 'prctl', 'PR_SET_CHILD_SUBREAPER');
}

/**
 * Reaps the process a pidfd refers to, if it has ended and is our child (waitid P_PIDFD,
 * Linux 5.4+): never another process that reused its pid. true: reaped, or gone (reaped
 * by its own parent), so nothing is left to wait for; false: still there.
 *
 * A box's pid 1 is the child of its launcher (bwrap's monitor) until the launcher dies,
 * and ours (we are the subreaper) after. While it is not ours waitid says ECHILD, which
 * does not mean it is gone: if the launcher is killed before it has reaped it, it becomes
 * ours, a zombie only we can reap. So ECHILD counts as done only once the process no
 * longer exists at all (signal 0 answers ESRCH; a zombie still answers).
 */
export function reapIfExited(pidfd: number): boolean {
  const info = Buffer.alloc(SIGINFO_SIZE);
  const rc = libc().waitid(P_PIDFD, pidfd, info, WEXITED | WNOHANG);
  if (rc === 0) return info.readInt32LE(SI_PID_OFFSET) !== 0;
  const errno = koffi.errno();
  if (errno === os.constants.errno.ECHILD) return !pidfdExists(pidfd);
  if (errno === os.constants.errno.EINTR) return false;
  throw new NativeError('waitid', errno, `pidfd ${pidfd}`);
}

const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;

/**
 * Sends bytes on a unix socket with descriptors attached (SCM_RIGHTS), without blocking.
 * Returns the bytes sent (the descriptors went with the first of them), or -errno
 * (EAGAIN: the socket is full, try again). The msghdr, iovec and control message are laid
 * out by hand for 64-bit Linux (x86_64, aarch64), which is all the engine runs on.
 */
export function sendFds(fd: number, data: Buffer, fds: readonly number[]): number {
  const iov = Buffer.alloc(16); // struct iovec { void *base; size_t len }
  iov.writeBigUInt64LE(koffi.address(data), 0);
  iov.writeBigUInt64LE(BigInt(data.length), 8);
  // struct cmsghdr { size_t len; int level; int type; } then the descriptors, padded to 8
  const dataLen = 4 * fds.length;
  const control = fds.length > 0 ? Buffer.alloc(16 + Math.ceil(dataLen / 8) * 8) : undefined;
  if (control) {
    control.writeBigUInt64LE(BigInt(16 + dataLen), 0);
    control.writeInt32LE(SOL_SOCKET, 8);
    control.writeInt32LE(SCM_RIGHTS, 12);
    fds.forEach((d, i) => control.writeInt32LE(d, 16 + 4 * i));
  }
  // struct msghdr { name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad) }
  const msg = Buffer.alloc(56);
  msg.writeBigUInt64LE(koffi.address(iov), 16);
  msg.writeBigUInt64LE(1n, 24);
  if (control) {
    msg.writeBigUInt64LE(koffi.address(control), 32);
    msg.writeBigUInt64LE(BigInt(control.length), 40);
  }
  const sent = libc().sendmsg(fd, msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  return sent < 0 ? -koffi.errno() : sent;
}

const TIOCSWINSZ = 0x5414;
const TIOCSPTLCK = 0x40045431;
const TIOCGPTPEER = 0x5441;
const O_RDWR = 2;
const O_NOCTTY = 0o400;

/**
 * A pseudo-terminal pair from a devpts's ptmx: the master stays with the engine, the
 * slave (opened through the master, TIOCGPTPEER, so no path can be swapped in between)
 * goes into a box.
 */
export function openPty(ptmx: string): { master: number; slave: number } {
  const master = fs.openSync(ptmx, fs.constants.O_RDWR | fs.constants.O_NOCTTY | O_CLOEXEC);
  try {
    const unlock = Buffer.alloc(4);
    check(libc().ioctlPtr(master, TIOCSPTLCK, unlock), 'ioctl', 'TIOCSPTLCK');
    const slave = check(libc().ioctlInt(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC), 'ioctl', 'TIOCGPTPEER');
    return { master, slave };
  } catch (err) {
    closeFd(master);
    throw err;
  }
}

/** a terminal's size, as its programs read it (TIOCGWINSZ) and are told of it (SIGWINCH) */
export function setWindowSize(fd: number, cols: number, rows: number): void {
  const size = Buffer.alloc(8); // struct winsize { rows, cols, xpixel, ypixel }
  size.writeUInt16LE(rows, 0);
  size.writeUInt16LE(cols, 2);
  check(libc().ioctlPtr(fd, TIOCSWINSZ, size), 'ioctl', 'TIOCSWINSZ');
}
