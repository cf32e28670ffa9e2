/**
 * Starts the launcher (prlimit -> bwrap) as the run's uid with an empty environment and
 * real pipes for stdio. No JavaScript runs between fork and exec: libuv forks, sets the
 * uid/gid (dropping supplementary groups), dups the descriptors and execs.
 *
 * Every launcher starts the same way, `prlimit <ceilings> -- bwrap --args 5 INIT`, and
 * waits for its options on fd 5 before it does anything. So the caller can first put it
 * into the run's cgroup: the box is then born there (its cgroup namespace's root, and
 * every byte bwrap allocates, are the box's), and a launcher can be started ahead of
 * need (prepared.ts). Two steps:
 *   spawnLauncher()  the process exists and waits for its options
 *   start()          hands bwrap its options and the seccomp program; resolves once
 *                    bwrap has reported the box's pid and the box init has said hello
 *                    (the box is set up). The caller then talks to the init (init-channel.ts).
 * If anything fails first, the launcher is killed and start() rejects with what bwrap
 * printed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { InitChannel } from './init-channel.js';
import { closeFd, pipe } from './native/libc.js';
import { SandboxError } from './errors.js';

export interface LaunchRequest {
  readonly argv: readonly string[];
  readonly uid: number;
  readonly gid: number;
}

export interface Launcher {
  readonly child: ChildProcess;
  /** the launcher's pid, once it has been spawned; rejects with why it could not be */
  pid(): Promise<number>;
  /** whether it can still be started: not exited, not started */
  usable(): boolean;
  /** bwrap's options (NUL-separated on fd 5), then the filter on fd 4 */
  start(options: readonly string[], seccomp: Buffer): Promise<Launched>;
  /**
   * kills the launcher if it still runs and closes every descriptor of ours; resolves once
   * it has exited and been reaped (an engine that exits first leaves a zombie behind)
   */
  dispose(): Promise<void>;
  /**
   * when a step on the launcher failed (its move into the cgroup): why, if it is because
   * the launcher ended — LAUNCH_FAILED with what it printed — else undefined
   */
  endedEarly(): Promise<SandboxError | undefined>;
}

export interface Launched {
  readonly child: ChildProcess;
  /** the box's pid 1 (bwrap's init in the box), in the host's pid namespace */
  readonly boxPid: number;
  /** the program's stdin; end() it for none */
  readonly stdin: net.Socket;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** the box init, waiting for its command */
  readonly init: InitChannel;
  dispose(): Promise<void>;
}

/** fd numbers inside the launcher; plan/argv.ts and native/box-init.c name the same */
export const LAUNCH_FDS = { info: 3, seccomp: 4, args: 5, control: 6 } as const;

const START_TIMEOUT_MS = 10_000;
/** a SIGKILLed launcher is gone in microseconds; past this, something else is wrong */
const DISPOSE_WAIT_MS = 2_000;

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
      // a session of its own: a signal to the engine's process group (Ctrl-C, a service
      // manager stopping it) must not kill the launcher, and with it the box, before the
      // engine's own shutdown has given the run its grace (--die-with-parent still ties it
      // to the engine's life)
      detached: true,
      // fds 3-5 are bwrap's and closed by it; fd 6 is the box init's, which closes it on exec
      stdio: [input.read, out.write, err.write, 'pipe', 'pipe', 'pipe', 'pipe'],
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
  const pid = (): Promise<number> =>
    child.pid !== undefined
      ? Promise.resolve(child.pid)
      : spawnError.catch((e: unknown) => {
          throw new SandboxError('LAUNCH_FAILED', `spawn ${req.argv[0]}: ${(e as Error).message}`, { cause: e });
        });
  child.on('error', () => undefined);
  const stdout = new net.Socket({ fd: out.read, readable: true, writable: false });
  const stderr = new net.Socket({ fd: err.read, readable: true, writable: false });
  const stdin = new net.Socket({ fd: input.write, readable: false, writable: true });
  stdin.on('error', () => undefined); // EPIPE when the program stops reading: not our failure
  const [, , , info, seccompFd, argsFd, control] = child.stdio as unknown as (net.Socket | null)[];
  for (const s of [info, seccompFd, argsFd, control]) s?.on('error', () => undefined);
  const init = new InitChannel(control as net.Socket);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve()); // never spawned: nothing to reap
  });
  const dispose = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of [stdout, stderr, stdin, info, seccompFd, argsFd]) s?.destroy();
    init.close();
    if (child.pid === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPOSE_WAIT_MS)))]);
    clearTimeout(timer);
  };
  let started = false;

  const start = async (options: readonly string[], seccomp: Buffer): Promise<Launched> => {
    started = true;
    const failed = async (e: unknown): Promise<never> => {
      child.kill('SIGKILL');
      const said = await drain(stderr, 200);
      await dispose();
      const reason = (e as Error).message;
      throw new SandboxError('LAUNCH_FAILED', said ? `${reason}: ${said}` : reason, { cause: e });
    };
    argsFd?.end(Buffer.from(options.map((a) => `${a}\0`).join('')));
    seccompFd?.end(seccomp);
    let boxPid: number;
    try {
      boxPid = await Promise.race([readBoxPid(child, info), spawnError]);
      const hello = await withTimeout(init.next(), START_TIMEOUT_MS, 'the box init did not start within 10 s');
      if (hello.type !== 'hello')
        throw new Error(hello.type === 'error' ? hello.text : 'the box ended during its setup');
    } catch (e) {
      return failed(e);
    }
    return { child, boxPid, stdin, stdout, stderr, init, dispose };
  };
  const endedEarly = async (): Promise<SandboxError | undefined> => {
    const ended = (): boolean => child.exitCode !== null || child.signalCode !== null;
    // the kernel may know it is gone before node has reaped it
    if (!ended())
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    if (!ended()) return undefined;
    const said = await drain(stderr, 200);
    const how = `launcher exited (${child.exitCode ?? child.signalCode}) before the box started`;
    return new SandboxError('LAUNCH_FAILED', said ? `${how}: ${said}` : how);
  };
  return {
    child,
    pid,
    endedEarly,
    usable: () => !started && child.exitCode === null && child.signalCode === null && child.pid !== undefined,
    start,
    dispose,
  };
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
    const timer = setTimeout(() => done(() => reject(new Error('no box pid within 10 s'))), START_TIMEOUT_MS);
    child.once('exit', onExit);
    info.on('error', () => undefined);
    info.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (m) done(() => resolve(Number(m[1])));
    });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
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
