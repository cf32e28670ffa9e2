/**
 * Starts the launcher (prlimit -> bwrap) as the run's uid with an empty environment and
 * real pipes for stdio. No JavaScript runs between fork and exec: libuv forks, sets the
 * uid/gid (dropping supplementary groups), dups the descriptors and execs.
 *
 * Two steps, so a launcher can be started ahead of need (prestart.ts):
 *   spawnLauncher()  the process exists; with `--args 6` bwrap waits to read its options
 *   start()          hands bwrap its options (if it waits for them) and the seccomp
 *                    program, and resolves once bwrap has created the box and reported
 *                    its pid on the info fd. The box then waits on the block fd; the
 *                    caller checks ready(), and calls release().
 * If anything fails first, the launcher is killed and start() rejects with what bwrap
 * printed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { closeFd, pipe } from './native/libc.js';
import { SandboxError } from './errors.js';

export interface LaunchRequest {
  readonly argv: readonly string[];
  readonly uid: number;
  readonly gid: number;
  /** give the launcher fd 6 to read bwrap's options from (`--args 6`); else it has none */
  readonly argsFd?: boolean;
}

export interface Launcher {
  readonly child: ChildProcess;
  /** whether it can still be started: not exited, not started */
  usable(): boolean;
  /** options for a bwrap that waits on `--args` (NUL-separated), or none; then the filter */
  start(args: readonly string[] | undefined, seccomp: Buffer): Promise<Launched>;
  /** kills the launcher if it still runs and closes every descriptor of ours */
  dispose(): void;
}

export interface Launched {
  readonly child: ChildProcess;
  /** the box's pid 1 (bwrap's init in the box), in the host's pid namespace */
  readonly boxPid: number;
  /** the program's stdin; end() it for none */
  readonly stdin: net.Socket;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /**
   * Resolves once the box has finished its setup (namespaces, mounts) and waits on the
   * block fd; rejects with bwrap's own message when setup failed instead.
   */
  ready(): Promise<void>;
  /** lets the box go on to exec the program */
  release(): void;
  dispose(): void;
}

/** fd numbers inside the launcher; plan/argv.ts must name the same */
export const LAUNCH_FDS = { info: 3, block: 4, seccomp: 5, args: 6 } as const;

const INFO_TIMEOUT_MS = 10_000;
/** read(2): how the box's init shows, in /proc/<pid>/syscall, that it waits to be released */
const SYS_READ: Partial<Record<NodeJS.Architecture, number>> = { x64: 0, arm64: 63 };

export function spawnLauncher(req: LaunchRequest): Launcher {
  const out = pipe();
  const err = pipe();
  const input = pipe();
  // a pipe belongs to its creator (root, mode 0600): reopening /dev/stdout in the box
  // goes through that owner check, so the pipes become the run's
  for (const p of [out, err, input]) fs.fchownSync(p.write, req.uid, req.gid);
  let child: ChildProcess;
  try {
    child = spawn(req.argv[0] ?? '', req.argv.slice(1), {
      env: {},
      cwd: '/',
      uid: req.uid,
      gid: req.gid,
      // every descriptor the launcher gets reaches the box unless bwrap or the trampoline
      // closes it: fd 6 only where a trampoline will
      stdio: [input.read, out.write, err.write, 'pipe', 'pipe', 'pipe', ...(req.argsFd ? (['pipe'] as const) : [])],
    });
  } catch (e) {
    for (const fd of [out.read, out.write, err.read, err.write, input.read, input.write]) closeFd(fd);
    throw new SandboxError('LAUNCH_FAILED', `spawn ${req.argv[0]}: ${(e as Error).message}`, { cause: e });
  }
  // the child holds its copies now; ours of its ends must go, or EOF never comes
  closeFd(out.write);
  closeFd(err.write);
  closeFd(input.read);
  // spawn reports EAGAIN, EACCES, ENOENT as an event; unheard, it would crash the engine
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(e)));
  spawnError.catch(() => undefined);
  child.on('error', () => undefined);
  const stdout = new net.Socket({ fd: out.read, readable: true, writable: false });
  const stderr = new net.Socket({ fd: err.read, readable: true, writable: false });
  const stdin = new net.Socket({ fd: input.write, readable: false, writable: true });
  stdin.on('error', () => undefined); // EPIPE when the program stops reading: not our failure
  const [, , , info, block, seccompFd, argsFd] = child.stdio as unknown as (net.Socket | null)[];
  for (const s of [info, block, seccompFd, argsFd]) s?.on('error', () => undefined);
  const dispose = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of [stdout, stderr, stdin, info, block, seccompFd, argsFd]) s?.destroy();
  };
  let started = false;

  const start = async (args: readonly string[] | undefined, seccomp: Buffer): Promise<Launched> => {
    started = true;
    const failed = async (e: unknown): Promise<never> => {
      child.kill('SIGKILL');
      const said = await drain(stderr, 200);
      dispose();
      const reason = (e as Error).message;
      throw new SandboxError('LAUNCH_FAILED', said ? `${reason}: ${said}` : reason, { cause: e });
    };
    if (args) argsFd?.end(Buffer.from(args.map((a) => `${a}\0`).join('')));
    seccompFd?.end(seccomp);
    let boxPid: number;
    try {
      boxPid = await Promise.race([readBoxPid(child, info), spawnError]);
    } catch (e) {
      return failed(e);
    }
    return {
      child,
      boxPid,
      stdin,
      stdout,
      stderr,
      ready: () => waitBlocked(child, boxPid).catch(failed),
      release: () => {
        block?.end('x');
      },
      dispose,
    };
  };
  return {
    child,
    usable: () => !started && child.exitCode === null && child.signalCode === null && child.pid !== undefined,
    start,
    dispose,
  };
}

/** Spawns and starts at once: a launcher whose bwrap has its options on the command line. */
export function launch(req: LaunchRequest, seccomp: Buffer): Promise<Launched> {
  return spawnLauncher(req).start(undefined, seccomp);
}

/**
 * bwrap reports the box's pid before the box has mounted anything; a mount that fails
 * after that ends the box with bwrap's message, which must not pass for the program's
 * own exit. So the box is released only once its init sits in read(2) on the block fd,
 * as /proc/<pid>/syscall shows: setup done.
 */
function waitBlocked(child: ChildProcess, pid: number): Promise<void> {
  const nr = SYS_READ[process.arch];
  const waiting = new RegExp(`^${nr} 0x${LAUNCH_FDS.block.toString(16)} `);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const look = (i: number): void => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error('the box ended during its setup'));
      let syscall = '';
      try {
        syscall = fs.readFileSync(`/proc/${pid}/syscall`, 'utf8');
      } catch {
        if (!fs.existsSync(`/proc/${pid}`)) return reject(new Error('the box ended during its setup'));
        // a kernel without /proc/<pid>/syscall (User-Mode Linux): nothing to watch, so
        // trust bwrap to block before exec
        return resolve();
      }
      // an architecture we have no number for: the same
      if (nr === undefined || waiting.test(syscall)) return resolve();
      if (performance.now() - started > INFO_TIMEOUT_MS) return reject(new Error('box setup took over 10 s'));
      if (i < 2000) setImmediate(() => look(i + 1));
      else setTimeout(() => look(i + 1), 1);
    };
    look(0);
  });
}

/** Reads {"child-pid": N} from the info fd, or fails when the launcher exits first. */
function readBoxPid(child: ChildProcess, info: net.Socket | null | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    if (!info) return reject(new Error('no info pipe'));
    let text = '';
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      info.removeAllListeners('data');
      child.removeListener('exit', onExit);
      fn();
    };
    const onExit = (code: number | null, signal: string | null): void =>
      done(() => reject(new Error(`launcher exited (${code ?? signal}) before the box started`)));
    const timer = setTimeout(() => done(() => reject(new Error('no box pid within 10 s'))), INFO_TIMEOUT_MS);
    child.once('exit', onExit);
    info.on('error', () => undefined);
    info.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (m) done(() => resolve(Number(m[1])));
    });
  });
}

/** What a failed launcher printed, for the error message; bounded in time and size. */
function drain(stream: Readable, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      stream.destroy();
      resolve(Buffer.concat(chunks).toString().slice(0, 2000).trim());
    };
    const timer = setTimeout(finish, ms);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', finish);
    stream.on('error', finish);
  });
}
