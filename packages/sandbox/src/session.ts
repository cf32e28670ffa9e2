/**
 * A session's engine side (session-types.ts has the interface): a box opened as a run's
 * is (box-open.ts), whose init is given a session spec and stays, taking commands.
 *
 * Each command gets three fresh pipes, or a terminal's slave, passed to the init with the
 * command (init-channel.ts sendFrame); the init forks it into a process group of its own
 * and reports its pid, its end (wait status and rusage) and any failure to start. Our
 * ends of its pipes are read here, directly: output never goes through the init.
 *
 * A command has ended when its process has exited and its pipes have drained. A process
 * it left running that still holds them (`server &`) keeps writing into them; that output
 * is read and dropped, so that it never blocks, until the session ends.
 *
 * File operations are the init's builtins, forked like commands, and tar, run like one:
 * all of them work as the box's user, inside the box.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import tty from 'node:tty';
import { BOX_WORKDIR } from './box-etc.js';
import { prepareBox } from './box-open.js';
import type { OpenedBox } from './box-types.js';
import type { Cleanup } from './cleanup.js';
import type { Engine } from './engine.js';
import { SandboxError } from './errors.js';
import { encodeStart, START_FLAGS } from './init-channel.js';
import type { InitMessage } from './init-channel.js';
import type { Limits, LimitPolicy } from './limits.js';
import { closeFd, dupFd, openPty, pidfdSendSignal, pipe, setNonBlocking, setWindowSize } from './native/libc.js';
import { BoundedOutput } from './output.js';
import { initRlimits, programEnv } from './plan/argv.js';
import type {
  CommandHandle,
  CommandHooks,
  CommandResult,
  CommandSpec,
  FileEntry,
  Session,
  SessionEnd,
  SessionEndReason,
  SessionSpec,
  SessionUsage,
  Terminal,
  TerminalSpec,
} from './session-types.js';
import type { NetworkMode } from './seccomp-policy.js';
import {
  checkArgv,
  checkEnv,
  checkFiles,
  checkLimits,
  checkNetwork,
  checkRelativePath,
  checkRootfs,
  SpecError,
} from './spec.js';
import type { FileSpec } from './spec.js';

/** after a command's process has exited, how long its pipes may take to drain */
const COMMAND_DRAIN_MS = 200;
/** the longest a file operation takes: tmpfs is memory, so only a stopped one takes longer */
const FILE_OP_MS = 20_000;
/** a killed command's end, as the init tells it, comes in this time or the init is frozen */
const KILL_ANSWER_MS = 10_000;
/** an archive's headers and padding over its files' bytes */
const DOWNLOAD_SLACK_BYTES = 64 * 1024 * 1024;
/** how often a session looks whether its init was stopped */
const INIT_WATCH_MS = 1_000;
/** the kernel holds 64 KiB of a terminal's output, and its line discipline 4 KiB */
const TERMINAL_REST_BYTES = 128 * 1024;
/** a terminal's processes get SIGHUP, then this long before SIGKILL */
const HANGUP_MS = 1_000;
/** a box path: the longest the kernel takes */
const MAX_BOX_PATH = 4096;
/** entries a listing returns at most */
export const MAX_LISTED = 10_000;
/**
 * A listing's bytes at most, as the init writes it: its JSON (a box's names may be control
 * characters, six bytes each there) is held by the worker and the API, each call at once.
 */
const LISTING_BYTES = 8 * 1024 * 1024;
/** a builtin's exit codes past errno's (native/box-init.c) */
const EXIT_NOT_REGULAR = 200;
const EXIT_TOO_LARGE = 201;
const SIGNAL_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(os.constants.signals)
    .reverse()
    .map(([name, n]) => [n, name]),
);

export type FileErrorCode =
  | 'NOT_FOUND'
  | 'NOT_A_FILE'
  | 'NOT_A_DIRECTORY'
  | 'IS_A_DIRECTORY'
  | 'LINK'
  | 'TOO_LARGE'
  | 'NO_SPACE'
  | 'PERMISSION'
  | 'FAILED';

/** a file operation that failed for a reason of the file's (not the engine's) */
export class FileError extends Error {
  constructor(
    readonly code: FileErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(`${path || '/box'}: ${message}`);
    this.name = 'FileError';
  }
}

/** a call to a session that has ended */
export class SessionEndedError extends Error {
  constructor(readonly reason: SessionEndReason) {
    super(reason === 'closed' ? 'the session is closed' : 'the session has ended: its box is gone');
    this.name = 'SessionEndedError';
  }
}

export interface ValidSessionSpec {
  readonly limits: Limits;
  readonly network: NetworkMode;
  readonly rootfs: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly files: readonly FileSpec[];
}

export function validateSessionSpec(spec: SessionSpec, policy?: LimitPolicy): ValidSessionSpec {
  const limits = checkLimits(spec.limits, policy);
  const files = spec.files ?? [];
  checkFiles(files, limits);
  return {
    limits,
    network: checkNetwork(spec.network),
    rootfs: checkRootfs(spec.rootfs),
    env: checkEnv(spec.env, 'env'),
    files,
  };
}

/** a command's or file operation's path in the box: relative to /box, or absolute in it */
function boxPath(p: string | undefined, field: string): string {
  if (p === undefined || p === '') return BOX_WORKDIR;
  if (typeof p !== 'string' || p.includes('\0')) throw new SpecError(field, 'must be a string without NUL');
  if (p.length > MAX_BOX_PATH) throw new SpecError(field, `longer than ${MAX_BOX_PATH} characters`);
  return p.startsWith('/') ? p : path.posix.join(BOX_WORKDIR, p);
}

/** a work-dir path for a file operation: '' is /box itself */
function filePath(p: string, field = 'path'): string {
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') return '';
  checkRelativePath(trimmed, field);
  return trimmed;
}

interface Started {
  readonly id: number;
  readonly stdin: net.Socket;
  readonly stdout: net.Socket;
  readonly stderr: net.Socket;
  readonly exited: Promise<Extract<InitMessage, { type: 'exited' }>>;
  readonly startedAt: number;
}

interface Pending {
  resolveStart: (pid: number | Error) => void;
  resolveExit: (m: Extract<InitMessage, { type: 'exited' }>) => void;
}

export async function openSession(engine: Engine, spec: ValidSessionSpec): Promise<EngineSession> {
  const opened = await prepareBox(engine, {
    limits: spec.limits,
    network: spec.network,
    rootfs: spec.rootfs,
    tmpBytes: spec.limits.tmpBytes,
    session: true,
  });
  if (!opened) throw new SandboxError('LAUNCH_FAILED', 'no box');
  const { cleanup } = opened;
  try {
    const { box } = opened;
    const rlimits = initRlimits(spec.limits).filter((r) => r.resource !== 0); // no cpu-seconds cap
    const [, reply] = await Promise.all([
      box.init.send({ files: spec.files, argv: [], env: [], cwd: BOX_WORKDIR, rlimits, session: true }),
      box.init.next(),
    ]);
    if (reply.type !== 'ready') {
      const said = reply.type === 'error' ? reply.text : 'the box init ended before it was ready';
      throw new SandboxError('WORKDIR_FAILED', `place files: ${said}`);
    }
    box.init.go();
    return new EngineSession(engine, spec, opened, cleanup);
  } catch (err) {
    await cleanup.run().catch(() => undefined);
    throw err;
  }
}

export class EngineSession implements Session {
  readonly name: string;
  readonly limits: Limits;
  readonly ended: Promise<SessionEnd>;
  private endedWith: SessionEndReason | undefined;
  private resolveEnded!: (end: SessionEnd) => void;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** every descriptor-backed stream of ours, destroyed when the session ends */
  private readonly streams = new Set<{ destroy(): void }>();
  private closing: Promise<SessionEnd> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly spec: ValidSessionSpec,
    private readonly opened: OpenedBox,
    private readonly cleanup: Cleanup,
  ) {
    this.name = opened.name;
    this.limits = spec.limits;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    // the init's own stdio: it never writes there but to say it failed
    opened.box.stdin.end();
    for (const s of [opened.box.stdout, opened.box.stderr]) s.resume();
    opened.box.child.once('exit', () => void this.finish('box-ended'));
    void this.listen();
    this.watchInit();
  }

  /**
   * A program in the box runs as the init's user and may stop it (kill -STOP): then no
   * command would start or end and every call would wait until the session's lifetime.
   * A stopped init is a box that broke itself: the session ends, as when it is killed.
   */
  private watchInit(): void {
    const boxPid = this.opened.box.boxPid;
    let initPid: number | undefined;
    const timer = setInterval(() => {
      try {
        // bwrap's pid 1 has one child, our init
        initPid ??=
          Number(fs.readFileSync(`/proc/${boxPid}/task/${boxPid}/children`, 'utf8').split(' ')[0]) || undefined;
        if (initPid === undefined) return;
        const stat = fs.readFileSync(`/proc/${initPid}/stat`, 'utf8');
        const state = stat[stat.lastIndexOf(')') + 2];
        if (state === 'T' || state === 't') void this.finish('box-ended');
      } catch {
        // gone: the box's exit ends the session
      }
    }, INIT_WATCH_MS);
    timer.unref();
    void this.ended.then(() => clearInterval(timer));
  }

  exec(command: CommandSpec, hooks: CommandHooks = {}): CommandHandle {
    const argv = checkArgv(command.argv, 'argv');
    const env = checkEnv(command.env, 'env');
    const cwd = boxPath(command.cwd, 'cwd');
    if (command.timeoutMs !== undefined && (!Number.isInteger(command.timeoutMs) || command.timeoutMs <= 0)) {
      throw new SpecError('timeoutMs', 'must be a positive whole number of milliseconds');
    }
    this.assertOpen();
    const id = this.nextId++;
    const started = this.start(id, 0, argv, this.commandEnv(env, cwd), cwd);
    const stdin = this.feed(started, command);
    let timedOut = false;
    const kill = (signal: NodeJS.Signals = 'SIGKILL'): void => void this.signal(id, signal);
    const timer =
      command.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            this.killOrEnd(id);
          }, command.timeoutMs);
    const done = (async (): Promise<CommandResult> => {
      const oomBefore = (await this.opened.cgroup.usage()).oomKills;
      const keep = command.keepOutput === false ? 0 : this.limits.outputBytes;
      const out = new BoundedOutput(keep, (c) => hooks.onOutput?.('stdout', c), noop);
      const err = new BoundedOutput(keep, (c) => hooks.onOutput?.('stderr', c), noop);
      if (command.keepOutput === false) {
        started.stdout.on('data', (c: Buffer) => hooks.onOutput?.('stdout', c));
        started.stderr.on('data', (c: Buffer) => hooks.onOutput?.('stderr', c));
      }
      const drained = [collect(started.stdout, out), collect(started.stderr, err)];
      const ended = await started.exited;
      clearTimeout(timer);
      const wallMs = performance.now() - started.startedAt;
      await Promise.race([Promise.all(drained), sleep(COMMAND_DRAIN_MS)]);
      // what a process it left behind still writes is read and dropped from now on
      for (const s of [started.stdout, started.stderr]) s.removeAllListeners('data').resume();
      const oomKilled = (await this.opened.cgroup.usage().catch(() => ({ oomKills: oomBefore }))).oomKills > oomBefore;
      return {
        ...waitStatus(ended.status),
        stdout: out.bytes(),
        stderr: err.bytes(),
        stdoutTruncated: command.keepOutput !== false && out.truncated,
        stderrTruncated: command.keepOutput !== false && err.truncated,
        timedOut,
        oomKilled,
        wallMs: Math.round(wallMs),
        cpuMs: Math.round((ended.userUs + ended.systemUs) / 1000),
        memoryBytes: ended.maxRssKiB * 1024,
      };
    })();
    return { id, stdin, done, kill };
  }

  async terminal(spec: TerminalSpec = {}): Promise<Terminal> {
    const argv = spec.argv === undefined ? [this.shell(), '-i'] : checkArgv(spec.argv, 'argv');
    const env = checkEnv(spec.env, 'env');
    const cwd = boxPath(spec.cwd, 'cwd');
    const cols = dimension(spec.cols ?? 80, 'cols');
    const rows = dimension(spec.rows ?? 24, 'rows');
    this.assertOpen();
    const id = this.nextId++;
    const { ptsDir } = this.opened;
    if (!ptsDir) throw new SandboxError('LAUNCH_FAILED', 'a session box without its devpts');
    const { master, slave } = openPty(path.join(ptsDir, 'ptmx'));
    let rest: number | undefined;
    try {
      setWindowSize(master, cols, rows);
      // see readRest: what libuv leaves unread, read on a descriptor of our own
      rest = dupFd(master);
      setNonBlocking(rest);
      const exited = this.expect(id);
      const sent = await this.opened.box.init.sendFrame(
        'C',
        encodeStart(id, START_FLAGS.terminal, 1, argv, this.commandEnv({ TERM: 'xterm-256color', ...env }, cwd), cwd),
        [slave],
      );
      if (!sent) throw new SessionEndedError(this.endedWith ?? 'box-ended');
      await exited.started;
      const reader = new tty.ReadStream(master);
      const writer = new tty.WriteStream(dupFd(master));
      const restFd = rest;
      const listeners: ((chunk: Buffer) => void)[] = [];
      const show = (chunk: Buffer): void => {
        for (const l of listeners) l(chunk);
      };
      const readOut = new Promise<void>((r) => {
        reader.once('end', () => {
          for (const chunk of readRest(restFd)) show(chunk);
          r();
        });
        reader.once('close', r);
        reader.once('error', () => r());
      });
      // its exit can come before the last of what it showed: done waits for that, as a
      // command's does for its pipes, but not for a child that holds the terminal open
      const done = exited.ended.then(async (m) => {
        await Promise.race([readOut, sleep(COMMAND_DRAIN_MS)]);
        reader.destroy();
        writer.destroy();
        closeFd(restFd);
        const { exitCode, signal } = waitStatus(m.status);
        return { exitCode, signal };
      });
      rest = undefined;
      this.streams.add(reader);
      this.streams.add(writer);
      writer.on('error', noop);
      const close = (): void => {
        void this.signal(id, 'SIGHUP');
        const timer = setTimeout(() => this.killOrEnd(id), HANGUP_MS);
        void done.finally(() => clearTimeout(timer));
      };
      return {
        id,
        write: (data) => void writer.write(data),
        resize: (c, r) => setWindowSize(master, dimension(c, 'cols'), dimension(r, 'rows')),
        // the terminal is read from the first listener on: until then it keeps what it shows
        onData: (listener) => {
          listeners.push(listener);
          if (listeners.length === 1) reader.on('data', show);
        },
        close,
        done,
      };
    } catch (err) {
      closeFd(master);
      throw err;
    } finally {
      closeFd(slave);
      if (rest !== undefined) closeFd(rest);
    }
  }

  async readFile(p: string, options: { maxBytes?: number } = {}): Promise<Buffer> {
    const file = filePath(p);
    const max = options.maxBytes ?? this.limits.workDirBytes;
    const r = await this.builtin(['read', file, String(max)], undefined, max);
    this.fileOutcome(r.code, file);
    return r.stdout;
  }

  async writeFile(p: string, content: Buffer | string, options: { mode?: number } = {}): Promise<void> {
    const file = filePath(p);
    if (file === '') throw new SpecError('path', 'must name a file');
    const mode = options.mode ?? 0o644;
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new SpecError('mode', 'must be permission bits');
    const r = await this.builtin(['write', file, mode.toString(8)], Buffer.from(content), 0);
    this.fileOutcome(r.code, file);
  }

  async list(p = '', options: { depth?: number } = {}): Promise<FileEntry[]> {
    const dir = filePath(p);
    const depth = options.depth ?? 1;
    if (!Number.isInteger(depth) || depth < 1 || depth > 64) throw new SpecError('depth', 'must be 1 to 64');
    const r = await this.builtin(['list', dir, String(depth), String(MAX_LISTED)], undefined, LISTING_BYTES);
    if (r.code === EXIT_TOO_LARGE) {
      throw new FileError(
        'TOO_LARGE',
        dir,
        `the listing is over ${LISTING_BYTES} bytes: list a directory further down, or less deep`,
      );
    }
    this.fileOutcome(r.code, dir);
    return parseListing(r.stdout);
  }

  async remove(p: string): Promise<void> {
    const file = filePath(p);
    if (file === '') throw new SpecError('path', 'the work dir itself cannot be removed');
    this.fileOutcome((await this.builtin(['remove', file], undefined, 0)).code, file);
  }

  async mkdir(p: string): Promise<void> {
    const dir = filePath(p);
    if (dir === '') return;
    this.fileOutcome((await this.builtin(['mkdir', dir], undefined, 0)).code, dir);
  }

  download(p = ''): Readable {
    const dir = filePath(p);
    this.assertOpen();
    const id = this.nextId++;
    const argv = ['tar', '--create', '--file=-', `--directory=${BOX_WORKDIR}`, '--', dir === '' ? '.' : dir];
    const started = this.start(id, 0, argv, this.commandEnv({}, BOX_WORKDIR), BOX_WORKDIR);
    started.stdin.end();
    started.stderr.resume();
    const errors: Buffer[] = [];
    started.stderr.on('data', (c: Buffer) => errors.length < 16 && errors.push(c));
    // tar archives a sparse file in full: the archive is capped, not only the work dir
    const cap = 2 * this.limits.workDirBytes + DOWNLOAD_SLACK_BYTES;
    let bytes = 0;
    let exited = false;
    const out = new Readable({
      read: () => started.stdout.resume(),
      destroy: (err, done) => {
        // the caller gave up (or the cap was passed): tar stops too
        if (!exited) void this.signal(id, 'SIGKILL');
        started.stdout.destroy();
        done(err);
      },
    });
    started.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > cap)
        return void out.destroy(
          new FileError('TOO_LARGE', dir, `the archive is over ${cap} bytes (sparse files count in full)`),
        );
      // once tar has ended, the rest is read whatever the caller's pace: it is at most a pipe's
      if (!out.push(c) && !exited) started.stdout.pause();
    });
    const closed = new Promise<void>((r) => started.stdout.once('close', r));
    void started.exited.then(
      async (m) => {
        exited = true;
        started.stdout.resume();
        // a process in the box may hold tar's stdout open (it is tar's user): its end is tar's
        await Promise.race([closed, sleep(COMMAND_DRAIN_MS)]);
        if (out.destroyed) return;
        started.stdout.destroy();
        const { exitCode } = waitStatus(m.status);
        if (exitCode === 0) out.push(null);
        else out.destroy(new FileError('FAILED', dir, Buffer.concat(errors).toString().trim() || `tar: ${exitCode}`));
      },
      (err: Error) => out.destroy(err),
    );
    return out;
  }

  async upload(tar: Readable, p = ''): Promise<void> {
    const dir = filePath(p);
    if (dir !== '') await this.mkdir(dir);
    const target = dir === '' ? BOX_WORKDIR : path.posix.join(BOX_WORKDIR, dir);
    const handle = this.exec({
      argv: ['tar', '--extract', '--file=-', `--directory=${target}`, '--no-same-owner', '--delay-directory-restore'],
      stdin: tar,
    });
    const r = await handle.done;
    if (r.exitCode !== 0) {
      throw new FileError(
        /No space left/.test(r.stderr.toString()) ? 'NO_SPACE' : 'FAILED',
        dir,
        r.stderr.toString().trim() || `tar ended with ${r.exitCode ?? r.signal}`,
      );
    }
  }

  async usage(): Promise<SessionUsage> {
    const { cgroup, workDir } = this.opened;
    const [u, current, processes] = await Promise.all([
      cgroup.usage(),
      cgroup.memoryCurrentBytes(),
      cgroup.processes(),
    ]);
    const st = fs.statfsSync(workDir);
    return {
      cpuMs: Math.round(Number(u.cpuNs / 1000n) / 1000),
      memoryBytes: current,
      memoryPeakBytes: Math.max(u.memoryPeakBytes, current),
      processes,
      workDirBytes: (st.blocks - st.bfree) * st.bsize,
      oomKills: u.oomKills,
    };
  }

  close(): Promise<SessionEnd> {
    return this.finish('closed');
  }

  // ---- the parts ---------------------------------------------------------------

  private assertOpen(): void {
    if (this.endedWith) throw new SessionEndedError(this.endedWith);
  }

  private commandEnv(env: Readonly<Record<string, string>>, cwd: string): string[] {
    return programEnv({ ...this.spec.env, ...env }, cwd);
  }

  private shell(): string {
    const root = this.spec.rootfs ?? '/';
    return fs.existsSync(path.join(root, 'bin/bash')) ? 'bash' : 'sh';
  }

  /** reads the init's messages for as long as the session lives */
  private async listen(): Promise<void> {
    for (;;) {
      const m = await this.opened.box.init.next();
      if (m.type === 'ended' || m.type === 'error') break;
      if (m.type === 'started') this.pending.get(m.id)?.resolveStart(m.pid);
      else if (m.type === 'start-failed')
        this.pending.get(m.id)?.resolveStart(new Error(`cannot start: ${errnoText(m.errno)}`));
      else if (m.type === 'exited') {
        this.pending.get(m.id)?.resolveExit(m);
        this.pending.delete(m.id);
      }
    }
    void this.finish('box-ended');
  }

  /** the promises for a command's start and end, registered before it is sent */
  private expect(id: number): { started: Promise<number>; ended: Promise<Extract<InitMessage, { type: 'exited' }>> } {
    let resolveStart!: (pid: number | Error) => void;
    let resolveExit!: (m: Extract<InitMessage, { type: 'exited' }>) => void;
    const started = new Promise<number | Error>((r) => (resolveStart = r)).then((v) => {
      if (v instanceof Error) throw v;
      return v;
    });
    started.catch(noop);
    const ended = new Promise<Extract<InitMessage, { type: 'exited' }>>((r) => (resolveExit = r));
    this.pending.set(id, { resolveStart, resolveExit });
    return { started, ended };
  }

  /** pipes for a command (ours wrapped as sockets), the command sent with their other ends */
  private start(id: number, flags: number, argv: readonly string[], env: string[], cwd: string): Started {
    const input = pipe();
    const output = pipe();
    const errors = pipe();
    const { uid } = this.opened;
    // a pipe belongs to its creator (root, 0600): reopening /dev/stdout in the box checks that owner
    for (const p of [input, output, errors]) fs.fchownSync(p.write, uid, uid);
    const theirs = [input.read, output.write, errors.write];
    const expected = this.expect(id);
    void this.opened.box.init
      .sendFrame('C', encodeStart(id, flags, 3, argv, env, cwd), theirs)
      .then((sent) => {
        if (!sent) this.pending.get(id)?.resolveStart(new SessionEndedError(this.endedWith ?? 'box-ended'));
      })
      .finally(() => theirs.forEach(closeFd));
    const stdin = new net.Socket({ fd: input.write, readable: false, writable: true });
    const stdout = new net.Socket({ fd: output.read, readable: true, writable: false });
    const stderr = new net.Socket({ fd: errors.read, readable: true, writable: false });
    for (const s of [stdin, stdout, stderr]) {
      s.on('error', noop);
      this.streams.add(s);
      s.once('close', () => this.streams.delete(s));
    }
    // a command that never started ends at once, with what the init said
    const exited = Promise.race([
      expected.ended,
      expected.started.then(
        () => new Promise<never>(noop),
        (err: Error) => {
          this.pending.delete(id);
          for (const s of [stdin, stdout, stderr]) s.destroy();
          throw err;
        },
      ),
    ]);
    return { id, stdin, stdout, stderr, exited, startedAt: performance.now() };
  }

  private feed(started: Started, command: CommandSpec): Writable | undefined {
    const { stdin } = started;
    if (command.stdin === undefined) {
      if (command.openStdin) return stdin;
      stdin.end();
      return undefined;
    }
    if (typeof command.stdin === 'string' || Buffer.isBuffer(command.stdin)) {
      stdin.end(command.stdin);
      return undefined;
    }
    const source = command.stdin;
    source.pipe(stdin);
    stdin.on('close', () => source.unpipe(stdin));
    source.on('error', () => stdin.destroy());
    return undefined;
  }

  /**
   * Kills a command; if the init has not said it ended soon after, the init is not
   * answering (a program in the box froze it) and the session ends: no call waits on it.
   */
  private killOrEnd(id: number): void {
    void this.signal(id, 'SIGKILL');
    const timer = setTimeout(() => {
      if (this.pending.has(id)) void this.finish('box-ended');
    }, KILL_ANSWER_MS);
    timer.unref();
  }

  private async signal(id: number, signal: NodeJS.Signals): Promise<void> {
    if (this.endedWith || !this.pending.has(id)) return;
    const payload = Buffer.alloc(8);
    payload.writeUInt32LE(id, 0);
    payload.writeUInt32LE(os.constants.signals[signal], 4);
    await this.opened.box.init.sendFrame('K', payload);
  }

  /** a file operation in the box: its exit code and what it wrote, at most maxOut bytes of it */
  private async builtin(
    argv: string[],
    stdin: Buffer | undefined,
    maxOut: number,
  ): Promise<{ code: number; stdout: Buffer; stderr: string }> {
    this.assertOpen();
    const id = this.nextId++;
    const started = this.start(id, START_FLAGS.builtin, argv, [], BOX_WORKDIR);
    if (stdin) started.stdin.end(stdin);
    else started.stdin.end();
    const out = new BoundedOutput(maxOut, undefined, noop);
    const err = new BoundedOutput(4096, undefined, noop);
    const drained = Promise.all([collect(started.stdout, out), collect(started.stderr, err)]);
    // a program in the box may stop it (same user): then it is killed, and the call fails
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      this.killOrEnd(id);
    }, FILE_OP_MS);
    const ended = await started.exited
      .catch((e: unknown) => {
        if (e instanceof SessionEndedError) throw e;
        throw new SessionEndedError(this.endedWith ?? 'box-ended');
      })
      .finally(() => clearTimeout(deadline));
    await drained;
    const { exitCode, signal } = waitStatus(ended.status);
    if (timedOut) return { code: os.constants.errno.ETIMEDOUT, stdout: Buffer.alloc(0), stderr: '' };
    // more than was asked for: a file that grew as it was read, a listing past its bytes
    if (exitCode === 0 && out.truncated) return { code: EXIT_TOO_LARGE, stdout: Buffer.alloc(0), stderr: '' };
    // killed (the memory limit while it wrote): the file operation failed, not the session
    return {
      code: exitCode ?? (signal === 'SIGXFSZ' ? os.constants.errno.EFBIG : 255),
      stdout: out.bytes(),
      stderr: err.bytes().toString(),
    };
  }

  private fileOutcome(code: number, file: string): void {
    if (code === 0) return;
    const e = os.constants.errno;
    const known: Record<number, [FileErrorCode, string]> = {
      [e.ENOENT]: ['NOT_FOUND', 'no such file or directory'],
      [e.ENOTDIR]: ['NOT_A_DIRECTORY', 'a part of the path is not a directory'],
      [e.ELOOP]: ['LINK', 'the path goes through a symbolic link, which is never followed'],
      [e.EISDIR]: ['IS_A_DIRECTORY', 'is a directory'],
      [e.ENOSPC]: ['NO_SPACE', 'the work dir is full (limits.workDirBytes)'],
      [e.EDQUOT]: ['NO_SPACE', 'the work dir is full (limits.workDirBytes)'],
      [e.EFBIG]: ['TOO_LARGE', 'larger than a file may be (limits.fileSizeBytes)'],
      [e.EACCES]: ['PERMISSION', 'permission denied'],
      [e.EPERM]: ['PERMISSION', 'operation not permitted'],
      [e.ENXIO]: ['NOT_A_FILE', 'not a regular file'],
      [EXIT_NOT_REGULAR]: ['NOT_A_FILE', 'not a regular file'],
      [EXIT_TOO_LARGE]: ['TOO_LARGE', 'larger than asked for'],
      [e.ETIMEDOUT]: ['FAILED', `took over ${FILE_OP_MS / 1000} s (stopped by a program in the box?): killed`],
    };
    const [kind, message] = known[code] ?? ['FAILED', `failed: ${errnoText(code)}`];
    throw new FileError(kind, file, message);
  }

  private finish(reason: SessionEndReason): Promise<SessionEnd> {
    this.closing ??= (async (): Promise<SessionEnd> => {
      this.endedWith = reason;
      const usage = await this.usage().catch(() => emptyUsage());
      pidfdSendSignal(this.opened.pidfd, os.constants.signals.SIGKILL);
      await this.opened.cgroup.killAll().catch(noop);
      for (const s of this.streams) s.destroy();
      this.opened.box.init.close();
      // what was running died with the box: killed, as far as its caller can tell
      for (const [id, p] of this.pending) {
        p.resolveStart(new SessionEndedError(reason));
        p.resolveExit({
          type: 'exited',
          id,
          status: os.constants.signals.SIGKILL,
          userUs: 0,
          systemUs: 0,
          maxRssKiB: 0,
        });
        this.pending.delete(id);
      }
      await this.cleanup.run().catch((err: Error) => this.engine.config.onError(err));
      const end = { reason, usage };
      this.resolveEnded(end);
      return end;
    })();
    return this.closing;
  }
}

function noop(): void {}

/**
 * What a terminal showed last and libuv did not read. It ends a read at POLLHUP after a
 * short read, taking the short read for the last; but a pseudo-terminal's master reads a
 * few KiB at a time while up to 64 KiB more wait in the kernel, and when the slave's last
 * descriptor closes, that tail was lost. Every slave is closed by then, so it is all there:
 * read until the master says EIO (nothing left) or EAGAIN (a slave was opened again).
 */
function readRest(fd: number): Buffer[] {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < TERMINAL_REST_BYTES) {
    const buf = Buffer.allocUnsafe(16 * 1024);
    let n: number;
    try {
      n = fs.readSync(fd, buf);
    } catch {
      break;
    }
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    total += n;
  }
  return chunks;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function collect(stream: Readable, into: BoundedOutput): Promise<void> {
  return new Promise((resolve) => {
    stream.on('data', (c: Buffer) => into.push(c));
    stream.once('close', resolve);
    stream.once('end', resolve);
  });
}

function dimension(n: number, field: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new SpecError(field, 'must be a whole number from 1 to 1000');
  return n;
}

/** exit code and signal from a raw wait status */
function waitStatus(status: number): { exitCode: number | null; signal: string | null } {
  const sig = status & 0x7f;
  if (sig === 0) return { exitCode: (status >> 8) & 0xff, signal: null };
  return { exitCode: null, signal: SIGNAL_NAMES.get(sig) ?? `SIG${sig}` };
}

function errnoText(errno: number): string {
  const name = Object.entries(os.constants.errno).find(([, v]) => v === errno)?.[0];
  return name ?? `errno ${errno}`;
}

/** the init's listing: type, mode, size, mtime and path per entry, each NUL-ended */
function parseListing(raw: Buffer): FileEntry[] {
  const fields = raw.toString('utf8').split('\0');
  const out: FileEntry[] = [];
  const types = { f: 'file', d: 'dir', l: 'symlink', o: 'other' } as const;
  for (let i = 0; i + 4 < fields.length; i += 5) {
    const [t, mode, size, mtime, p] = fields.slice(i, i + 5);
    if (t === '!') break;
    out.push({
      path: p ?? '',
      type: types[t as keyof typeof types] ?? 'other',
      mode: parseInt(mode ?? '0', 8),
      size: Number(size),
      mtimeMs: Number(mtime),
    });
  }
  return out;
}

function emptyUsage(): SessionUsage {
  return { cpuMs: 0, memoryBytes: 0, memoryPeakBytes: 0, processes: 0, workDirBytes: 0, oomKills: 0 };
}
