/**
 * The launcher's command line and the box init's command, built as pure functions.
 *
 *   prlimit <ceilings> -- bwrap --args 5 /run/codebox/init
 *
 * Every launcher is the same: prlimit sets rlimit ceilings on itself (the policy's
 * maxima, and fixed values for what no run may change) and execs bwrap, which reads its
 * options from fd 5 once the engine has put it into the run's cgroup. So the box's
 * /proc/1/cmdline holds no host path, and one launcher serves any run. The box init
 * lowers the rlimits to the run's own just before it execs the program: setting them on
 * another process would need CAP_SYS_RESOURCE. The launcher runs as the run's
 * unprivileged host uid, so bwrap holds no privilege on the host and the box's uid 65534
 * maps to that uid.
 */
import type { Limits } from '../limits.js';
import type { MountStep } from './mounts.js';
import { BOX_GID, BOX_HOSTNAME, BOX_UID, BOX_WORKDIR, EMPTY_FILE, INIT_FILE } from '../box-etc.js';
import { RLIMIT } from '../init-channel.js';
import type { InitRlimit } from '../init-channel.js';

/** where the box init is bound in every box */
export const BOX_INIT_PATH = '/run/codebox/init';

/**
 * Pending signals (and POSIX timers, which reserve one each) per box. Their memory is
 * charged to the box, but the host's default (tens of thousands) is no program's need.
 */
export const SIGPENDING = 4096;

/**
 * RLIMIT_CORE of one byte: the kernel then writes no core file (smaller than a page) and
 * never starts a core_pattern pipe helper (the value it gives its own helpers, to stop
 * recursion), which RLIMIT_CORE=0 does not prevent. The seccomp filter makes changing it
 * a no-op (seccomp-policy.ts).
 */
export const CORE_BYTES = 1;

export interface LaunchFds {
  /** bwrap writes {"child-pid": N} here once the box exists */
  readonly info: number;
  /** the compiled seccomp program */
  readonly seccomp: number;
  /** bwrap's options, NUL-separated */
  readonly args: number;
}

export interface BoxPlan {
  readonly limits: Limits;
  readonly root: readonly MountStep[];
  /** host path of the run's work dir (a tmpfs of its own), mounted at /box */
  readonly workDir: string;
  /**
   * host directory (a tmpfs of the engine's) with the box init and the files that
   * describe the box (box-etc.ts): bound from there, no host path shows in the box's
   * mount table
   */
  readonly sysDir: string;
  readonly fds: LaunchFds;
  /**
   * a session's box: its own devpts (a host directory, mounted by the engine) at
   * /dev/pts, so a terminal has a name there, and /dev/tty
   */
  readonly ptsDir?: string;
  /** host files shown read-only in the work dir, each at its path relative to /box */
  readonly binds?: readonly { readonly src: string; readonly path: string }[];
}

/** device nodes a program may use; no tty, no pts, no kmsg */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom'];
/** /dev/shm (POSIX shared memory, semaphores) gets a tmpfs of its own, sized like /tmp */
const DEV_LINKS: readonly [string, string][] = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
];

/** host files hidden behind an empty file of the engine's: /proc/cmdline is the host kernel's */
const MASKED = ['/proc/cmdline'];

/** the cpu backstop: whole seconds above the cgroup's limit, SIGXCPU at soft, SIGKILL at hard */
function cpuSeconds(cpuMs: number): [number, number] {
  const soft = Math.ceil(cpuMs / 1000) + 1;
  return [soft, soft + 1];
}

/**
 * The launcher's ceilings: the policy's maxima for what varies per run (the init lowers
 * them), fixed values for what no run changes. RLIMIT_CPU is a per-process backstop; the
 * cgroup's cpu accounting, polled by the engine, is the limit that counts.
 */
export function rlimitArgs(maxima: Limits, cpuBackstop = true): string[] {
  const [cpuSoft, cpuHard] = cpuSeconds(maxima.cpuMs);
  return [
    cpuBackstop ? `--cpu=${cpuSoft}:${cpuHard}` : '--cpu=unlimited',
    `--fsize=${maxima.fileSizeBytes}`,
    `--nofile=${maxima.openFiles}`,
    `--stack=${maxima.stackBytes}`,
    `--core=${CORE_BYTES}`,
    // no locked memory: mlock'd pages would dodge reclaim
    '--memlock=0',
    `--sigpending=${SIGPENDING}`,
  ];
}

/** The run's own rlimits, which the box init sets just before it execs the program. */
export function initRlimits(limits: Limits): InitRlimit[] {
  const [cpuSoft, cpuHard] = cpuSeconds(limits.cpuMs);
  const both = (resource: number, n: number): InitRlimit => ({ resource, soft: n, hard: n });
  return [
    { resource: RLIMIT.cpu, soft: cpuSoft, hard: cpuHard },
    both(RLIMIT.fsize, limits.fileSizeBytes),
    both(RLIMIT.nofile, limits.openFiles),
    both(RLIMIT.stack, limits.stackBytes),
  ];
}

/** The program's environment, in its order, with PWD set to where it starts (as a shell would). */
export function programEnv(env: Readonly<Record<string, string>>, cwd: string = BOX_WORKDIR): string[] {
  return Object.entries({ ...env, PWD: cwd }).map(([k, v]) => `${k}=${v}`);
}

export function mountArgs(steps: readonly MountStep[]): string[] {
  const out: string[] = [];
  for (const s of steps) {
    switch (s.kind) {
      case 'ro-bind':
        out.push('--ro-bind', s.src, s.dest);
        break;
      case 'dir':
        out.push('--perms', s.mode.toString(8).padStart(4, '0'), '--dir', s.dest);
        break;
      case 'symlink':
        out.push('--symlink', s.target, s.dest);
        break;
    }
  }
  return out;
}

/** bwrap's options, as the launcher reads them on `--args` */
export function bwrapOptions(plan: BoxPlan): string[] {
  const { limits } = plan;
  const args = [
    '--unshare-all', // user, ipc, pid, net, uts, cgroup
    '--unshare-user',
    '--disable-userns', // no nested user namespaces, whatever seccomp allows
    '--die-with-parent',
    '--new-session', // no TIOCSTI into a terminal
    '--uid',
    String(BOX_UID),
    '--gid',
    String(BOX_GID),
    '--hostname',
    BOX_HOSTNAME,
    ...mountArgs(plan.root),
    '--proc',
    '/proc',
  ];
  for (const file of MASKED) args.push('--ro-bind', `${plan.sysDir}/${EMPTY_FILE}`, file);
  args.push('--tmpfs', '/dev');
  for (const d of plan.ptsDir ? [...DEVICES, 'tty'] : DEVICES) args.push('--dev-bind', `/dev/${d}`, `/dev/${d}`);
  if (plan.ptsDir) args.push('--dev-bind', plan.ptsDir, '/dev/pts');
  for (const [target, dest] of DEV_LINKS) args.push('--symlink', target, dest);
  args.push(
    '--size',
    String(limits.tmpBytes),
    '--tmpfs',
    '/dev/shm',
    '--remount-ro',
    '/dev',
    '--size',
    String(limits.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--bind',
    plan.workDir,
    BOX_WORKDIR,
    // over the work dir, so bwrap makes their mount points in it
    ...(plan.binds ?? []).flatMap((b) => ['--ro-bind', b.src, `${BOX_WORKDIR}/${b.path}`]),
    '--ro-bind',
    `${plan.sysDir}/${INIT_FILE}`,
    BOX_INIT_PATH,
    '--remount-ro',
    '/',
    '--chdir',
    BOX_WORKDIR,
    '--info-fd',
    String(plan.fds.info),
    '--seccomp',
    String(plan.fds.seccomp),
  );
  return args;
}

/** The launcher's argv: prlimit with the ceilings, then bwrap waiting on fd `args` for its options. */
export function launcherArgv(
  prlimitPath: string,
  bwrapPath: string,
  maxima: Limits,
  fds: LaunchFds,
  kind: 'run' | 'session' = 'run',
): string[] {
  const ceilings = rlimitArgs(maxima, kind === 'run');
  return [prlimitPath, ...ceilings, '--', bwrapPath, '--args', String(fds.args), BOX_INIT_PATH];
}
