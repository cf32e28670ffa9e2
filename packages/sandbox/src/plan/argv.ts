/**
 * The launcher's command line, built as a pure function of the plan.
 *
 *   prlimit <rlimits> -- bwrap <namespaces> <root> <proc,dev,tmp,box> <env> <fds> -- argv
 *
 * prlimit sets the rlimits on itself and execs bwrap, which passes them to the box:
 * setting them on another process would need CAP_SYS_RESOURCE. The launcher is started
 * as the run's unprivileged host uid, so bwrap holds no privilege on the host and the
 * box's uid 65534 maps to that uid.
 */
import type { Limits } from '../limits.js';
import type { MountStep } from './mounts.js';
import { BOX_GID, BOX_HOSTNAME, BOX_UID, BOX_WORKDIR } from '../box-etc.js';

/**
 * A prestarted launcher's bwrap waits for its options on `--args`, and takes no command
 * from there, so it runs this fixed one: POSIX sh that closes the options descriptor
 * (bwrap leaves it open) and execs `/usr/bin/env -i NAME=VALUE... ARGV...`, rebuilt
 * from CODEBOX_ENV_<i> and CODEBOX_ARG_<i>. env -i gives the program exactly its own
 * environment, in its order (not the shell's: no IFS, PPID or CODEBOX_* of sh's), and
 * execvp's lookup and exit codes (127 not found, 126 not executable). Each value is
 * expanded once, inside eval's string, never parsed as shell code.
 */
export const trampoline = (argsFd: number): string => [
  `exec ${argsFd}<&-`,
  'set -- /usr/bin/env -i',
  'CODEBOX_ARGI=0',
  'while [ "$CODEBOX_ARGI" -lt "$CODEBOX_ENVC" ]; do',
  '  eval "set -- \\"\\$@\\" \\"\\${CODEBOX_ENV_$CODEBOX_ARGI}\\""; CODEBOX_ARGI=$((CODEBOX_ARGI + 1))',
  'done',
  'CODEBOX_ARGI=0',
  'while [ "$CODEBOX_ARGI" -lt "$CODEBOX_ARGC" ]; do',
  '  eval "set -- \\"\\$@\\" \\"\\${CODEBOX_ARG_$CODEBOX_ARGI}\\""; CODEBOX_ARGI=$((CODEBOX_ARGI + 1))',
  'done',
  'exec "$@"',
].join('\n');

/**
 * The trampoline's variables for a run: the program's environment as bwrap would give it
 * (its own variables in order, then PWD=/box, or PWD replaced where it stands), and argv.
 */
export function trampolineEnv(argv: readonly string[], env: Readonly<Record<string, string>>, cwd: string): Record<string, string> {
  const pairs = Object.entries({ ...env, PWD: cwd }).map(([k, v]) => `${k}=${v}`);
  const out: Record<string, string> = { CODEBOX_ENVC: String(pairs.length), CODEBOX_ARGC: String(argv.length) };
  pairs.forEach((p, i) => (out[`CODEBOX_ENV_${i}`] = p));
  argv.forEach((a, i) => (out[`CODEBOX_ARG_${i}`] = a));
  return out;
}

export interface LaunchFds {
  /** bwrap writes {"child-pid": N} here once the box exists */
  readonly info: number;
  /** the box waits here, namespaces and mounts done, until one byte arrives */
  readonly block: number;
  /** the compiled seccomp program */
  readonly seccomp: number;
}

export interface LaunchPlan {
  readonly prlimitPath: string;
  readonly bwrapPath: string;
  readonly limits: Limits;
  readonly root: readonly MountStep[];
  /** host path of the run's work dir (a tmpfs of its own), mounted at /box */
  readonly workDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly argv: readonly string[];
  readonly fds: LaunchFds;
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

export function rlimitArgs(limits: Limits): string[] {
  // RLIMIT_CPU is a per-process backstop in whole seconds; the cgroup's cpu accounting,
  // polled by the engine, is the limit that counts. SIGXCPU at soft, SIGKILL at hard.
  const cpuSoft = Math.ceil(limits.cpuMs / 1000) + 1;
  return [
    `--cpu=${cpuSoft}:${cpuSoft + 1}`,
    `--fsize=${limits.fileSizeBytes}`,
    `--nofile=${limits.openFiles}`,
    `--stack=${limits.stackBytes}`,
    '--core=0',
    // no locked memory: mlock'd pages would dodge reclaim
    '--memlock=0',
  ];
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

/** bwrap's options without the command: what a prestarted launcher reads on `--args` */
export function bwrapOptions(plan: Omit<LaunchPlan, 'argv'>): string[] {
  const { limits } = plan;
  const args = [
    '--unshare-all', // user, ipc, pid, net, uts, cgroup
    '--unshare-user',
    '--disable-userns', // no nested user namespaces, whatever seccomp allows
    '--die-with-parent',
    '--new-session', // no TIOCSTI into a terminal
    '--uid', String(BOX_UID),
    '--gid', String(BOX_GID),
    '--hostname', BOX_HOSTNAME,
    ...mountArgs(plan.root),
    '--proc', '/proc',
    '--tmpfs', '/dev',
  ];
  for (const d of DEVICES) args.push('--dev-bind', `/dev/${d}`, `/dev/${d}`);
  for (const [target, dest] of DEV_LINKS) args.push('--symlink', target, dest);
  args.push(
    '--size', String(limits.tmpBytes), '--tmpfs', '/dev/shm',
    '--remount-ro', '/dev',
    '--size', String(limits.tmpBytes), '--tmpfs', '/tmp',
    '--bind', plan.workDir, BOX_WORKDIR,
    '--remount-ro', '/',
    '--chdir', BOX_WORKDIR,
    '--clearenv',
  );
  for (const [k, v] of Object.entries(plan.env)) args.push('--setenv', k, v);
  args.push(
    '--info-fd', String(plan.fds.info),
    '--block-fd', String(plan.fds.block),
    '--seccomp', String(plan.fds.seccomp),
  );
  return args;
}

export function bwrapArgs(plan: LaunchPlan): string[] {
  return [...bwrapOptions(plan), '--', ...plan.argv];
}

/** The full argv: [prlimit, ...rlimits, '--', bwrap, ...bwrapArgs]. */
export function launcherArgv(plan: LaunchPlan): string[] {
  return [plan.prlimitPath, ...rlimitArgs(plan.limits), '--', plan.bwrapPath, ...bwrapArgs(plan)];
}

/** A launcher started ahead of its run: only the rlimits are fixed; options come on fd `argsFd`. */
export function prestartArgv(prlimitPath: string, bwrapPath: string, limits: Limits, argsFd: number): string[] {
  return [prlimitPath, ...rlimitArgs(limits), '--', bwrapPath, '--args', String(argsFd), '/bin/sh', '-c', trampoline(argsFd), 'codebox'];
}
