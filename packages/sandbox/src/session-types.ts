/**
 * A session: one box that lives across calls. The same box as a run's (namespaces,
 * seccomp, read-only root, one cgroup whose limits cover everything in it, a work dir of
 * its own at /box), whose init does not exec one program but stays, taking commands from
 * the engine (native/box-init.c, session mode). Commands get pipes of their own for
 * stdin, stdout and stderr, or a pseudo-terminal; processes they start may outlive them.
 * File operations run inside the box too, as the box's user: a link planted in the work
 * dir can lead nowhere the box could not already go, and none is followed anyway.
 *
 * Idle timeouts, lifetimes and who may reach a session are the caller's: the engine
 * keeps a session until close(), or until the box ends on its own (its init killed).
 */
import type { Readable, Writable } from 'node:stream';
import type { Limits } from './limits.js';
import type { NetworkMode } from './seccomp-policy.js';
import type { FileSpec } from './spec.js';

export interface SessionSpec {
  /**
   * the session's limits. memoryBytes, pids, cpus, workDirBytes and tmpBytes bound the
   * whole box; openFiles, fileSizeBytes and stackBytes each of its processes; outputBytes
   * each command's stdout and stderr as kept. cpuMs and wallMs are ignored: a session's
   * bound in time is its caller's, a command's its timeoutMs.
   */
  readonly limits?: Partial<Limits>;
  readonly network?: NetworkMode;
  /** a root filesystem directory; undefined = the host's system directories, read-only */
  readonly rootfs?: string;
  /** the environment every command starts from (a command's env is laid over it) */
  readonly env?: Readonly<Record<string, string>>;
  /** written into /box before the session is ready */
  readonly files?: readonly FileSpec[];
}

export interface CommandSpec {
  /** argv[0] looked up in the command's PATH */
  readonly argv: readonly string[];
  /** laid over the session's environment */
  readonly env?: Readonly<Record<string, string>>;
  /** relative to /box, or absolute inside the box; default /box */
  readonly cwd?: string;
  /** bytes (then end of input), or a stream copied in as the command reads it */
  readonly stdin?: Buffer | string | Readable;
  /** no stdin given: the handle's stdin stays open for the caller to write to and end */
  readonly openStdin?: boolean;
  /** the command's process group is killed after this long (timedOut in its result) */
  readonly timeoutMs?: number;
  /**
   * false: the output is not kept for the result (its stdout and stderr are empty) and
   * onOutput gets all of it, however much: for a caller that consumes it as it comes (a
   * code context's events, a long-lived server's log). Default true: kept up to the
   * session's outputBytes, and onOutput gets what is kept.
   */
  readonly keepOutput?: boolean;
}

export interface CommandHooks {
  /** each chunk of output as the command writes it (only what is kept under the limit) */
  readonly onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  /** killed at its timeoutMs */
  readonly timedOut: boolean;
  /** the session's memory limit killed a process while the command ran */
  readonly oomKilled: boolean;
  readonly wallMs: number;
  /** the command's process and the children it waited for (wait4's rusage) */
  readonly cpuMs: number;
  /** the largest resident set among them */
  readonly memoryBytes: number;
}

export interface CommandHandle {
  /** the engine's number for it, unique in its session */
  readonly id: number;
  /** with openStdin: what the caller writes reaches the command */
  readonly stdin: Writable | undefined;
  /** resolves when its process has exited and its output drained */
  readonly done: Promise<CommandResult>;
  /** a signal to its process group (SIGKILL by default); nothing once it has ended */
  kill(signal?: NodeJS.Signals): void;
}

export interface TerminalSpec {
  /** default: the session's shell (bash, else sh), interactive */
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly cols?: number;
  readonly rows?: number;
}

export interface Terminal {
  readonly id: number;
  /** keystrokes, as the terminal's master reads them */
  write(data: Buffer | string): void;
  resize(cols: number, rows: number): void;
  /** what the terminal shows, as it comes */
  onData(listener: (chunk: Buffer) => void): void;
  /** SIGHUP to its process group, then SIGKILL */
  close(): void;
  readonly done: Promise<{ readonly exitCode: number | null; readonly signal: string | null }>;
}

export type FileType = 'file' | 'dir' | 'symlink' | 'other';

export interface FileEntry {
  /** relative to the directory listed */
  readonly path: string;
  readonly type: FileType;
  readonly size: number;
  /** permission bits */
  readonly mode: number;
  readonly mtimeMs: number;
}

export interface SessionUsage {
  /** cpu of everything the session ran, since it started */
  readonly cpuMs: number;
  readonly memoryBytes: number;
  readonly memoryPeakBytes: number;
  /** processes in the box now (its init and bwrap's included) */
  readonly processes: number;
  readonly workDirBytes: number;
  readonly oomKills: number;
}

export type SessionEndReason = 'closed' | 'box-ended';

export interface SessionEnd {
  readonly reason: SessionEndReason;
  readonly usage: SessionUsage;
}

export interface Session {
  /** the box's name (its cgroup's and work dir's) */
  readonly name: string;
  readonly limits: Limits;
  exec(command: CommandSpec, hooks?: CommandHooks): CommandHandle;
  terminal(spec?: TerminalSpec): Promise<Terminal>;
  /** a regular file's bytes; FileError NOT_FOUND, NOT_A_FILE, TOO_LARGE (over maxBytes) */
  readFile(path: string, options?: { maxBytes?: number }): Promise<Buffer>;
  /** creates or replaces a regular file (parents made); the box's own limits apply */
  writeFile(path: string, content: Buffer | string, options?: { mode?: number }): Promise<void>;
  /** a directory's entries, recursively to depth (1 = its own entries), never through a link */
  list(path?: string, options?: { depth?: number }): Promise<FileEntry[]>;
  /** a file, a link or a directory with what it holds */
  remove(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** the work dir as a tar stream (what is under path, default all of /box) */
  download(path?: string): Readable;
  /** unpacks a tar stream into the work dir (under path, default /box) */
  upload(tar: Readable, path?: string): Promise<void>;
  usage(): Promise<SessionUsage>;
  /** kills everything in the box and removes it */
  close(): Promise<SessionEnd>;
  /** resolves when the session has ended, closed or on its own */
  readonly ended: Promise<SessionEnd>;
}
