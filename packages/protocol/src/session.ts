/**
 * A session on the wire: a box that lives across calls, on one worker. What a client asks
 * for (SessionRequest, CommandRequest), what it gets back (SessionView, CommandResultJson,
 * FileEntryJson, ProcessView), the events of a streamed command and the terminal's
 * messages. The worker's policy (defaults and maxima) is published by the workers
 * (SessionPolicy) and checked in session-request.ts.
 */
import type { Encoding } from './result.js';
import type { FileInput } from './job.js';

/** starting (the API is placing it) → ready → ended | lost */
export const SESSION_STATUSES = ['starting', 'ready', 'ended', 'lost'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * Why a session ended: its DELETE, its idle timeout, its lifetime, its worker's stop, the
 * box ending on its own (its init killed), no worker opening it, or its worker lost.
 */
export const SESSION_END_REASONS = [
  'deleted',
  'idle',
  'ttl',
  'worker-stopped',
  'box-ended',
  'open-failed',
  'worker-lost',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/**
 * The limits a session may set, each over the whole box (memory, pids, cpus, the
 * workspace and /tmp) or each of its processes (open files, file size, stack), and what is
 * kept of each command's stdout and stderr. cpuMs and wallMs are not a session's: its bound
 * in time is its lifetime, a command's its timeoutMs.
 */
export const SESSION_LIMITS = [
  'memoryBytes',
  'pids',
  'cpus',
  'workDirBytes',
  'tmpBytes',
  'outputBytes',
  'fileSizeBytes',
  'openFiles',
  'stackBytes',
] as const;
export type SessionLimitName = (typeof SESSION_LIMITS)[number];
export type SessionLimits = Readonly<Record<SessionLimitName, number>>;

/** what a worker allows a session, published in its record and GET /v1/runtimes */
export interface SessionPolicy {
  readonly limits: { readonly defaults: SessionLimits; readonly maxima: SessionLimits };
  readonly idleTimeoutS: { readonly default: number; readonly maximum: number };
  readonly ttlS: { readonly default: number; readonly maximum: number };
  /** a foreground command's timeoutMs when it gives none, and the most it may give */
  readonly commandTimeoutMs: { readonly default: number; readonly maximum: number };
  /** the largest file one GET or PUT of a file moves */
  readonly fileBytes: number;
  /** background processes a session holds at once (running or kept after their end) */
  readonly processes: number;
  /** terminals open at once per session */
  readonly terminals: number;
  /** what is kept of a background process's output (its latest bytes), stdout and stderr together */
  readonly backgroundOutputBytes: number;
}

export interface SessionRequest {
  /** a runtime id or alias: what `run` compiles and runs when a file's extension says nothing */
  language?: string;
  limits?: Partial<Record<SessionLimitName, number>>;
  /** the session ends after this long without a call */
  idleTimeoutS?: number;
  /** the session ends this long after its creation, whatever happens */
  ttlS?: number;
  /** true: IP on the box's own private loopback (a server a later command queries) */
  network?: boolean;
  /** written into the workspace before the session is ready */
  files?: FileInput[];
  /** the environment every command starts from */
  env?: Record<string, string>;
}

export interface SessionUsageJson {
  cpuMs: number;
  memoryBytes: number;
  memoryPeakBytes: number;
  processes: number;
  workDirBytes: number;
  oomKills: number;
}

export interface SessionView {
  id: string;
  status: SessionStatus;
  language?: string;
  network: boolean;
  limits: SessionLimits;
  idleTimeoutS: number;
  ttlS: number;
  createdAt: string;
  /** when the lifetime ends it */
  expiresAt: string;
  /** when the idle timeout ends it, from the last call (a live session's, as its worker says) */
  idleExpiresAt?: string;
  endedAt?: string;
  endReason?: SessionEndReason;
  /** so far (a live session), or at its end */
  usage?: SessionUsageJson;
}

/** one of command, argv or run */
export interface CommandRequest {
  /** a shell command line, run by bash -c (sh -c where the root has no bash) */
  command?: string;
  /** argv[0] looked up in PATH; no shell */
  argv?: string[];
  /** a workspace file compiled and run with its language's own steps (by its extension, else the session's language) */
  run?: string;
  /** run: appended to the program's command */
  args?: string[];
  /** run: more files of the program's own language to compile with it (C, C++, Go, TypeScript) */
  sources?: string[];
  /** run: appended to the compile command */
  compileArgs?: string[];
  stdin?: string;
  stdinEncoding?: Encoding;
  /** relative to the workspace, default the workspace itself (run: the file's directory) */
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** start it and answer at once with its handle; its output is kept (its latest bytes) to read later */
  background?: boolean;
}

/** how a command ended, without its output (the `exit` event) */
export interface CommandExit {
  exitCode: number | null;
  signal: string | null;
  /** killed at its timeoutMs */
  timedOut: boolean;
  /** the session's memory limit killed a process while it ran */
  oomKilled: boolean;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  wallMs: number;
  cpuMs: number;
  memoryBytes: number;
  /** run: the step this is ('compile' when the compile failed and nothing ran) */
  stage?: 'compile' | 'run';
  /** run: the compile step, when the language has one */
  compile?: Omit<CommandExit, 'compile' | 'stage'>;
}

/** a command awaited (?wait=true): its end and its output */
export interface CommandResultJson extends CommandExit {
  stdout: string;
  stderr: string;
  stdoutEncoding: Encoding;
  stderrEncoding: Encoding;
}

/**
 * A streamed command's events (SSE), in order: `start` (its process id), `stage` (run:
 * each step's start and end), `stdout`/`stderr` chunks, and last `exit`. Not resumable:
 * a command's output is not stored.
 */
export type CommandEvent =
  | { type: 'start'; data: { id: number } }
  | {
      type: 'stage';
      data: { stage: 'compile' | 'run'; state: 'start' } | ({ stage: 'compile' | 'run'; state: 'exit' } & CommandExit);
    }
  | { type: 'stdout'; data: { data: string; encoding: Encoding } }
  | { type: 'stderr'; data: { data: string; encoding: Encoding } }
  | { type: 'exit'; data: CommandExit };

export interface ProcessView {
  id: number;
  /** the command as asked: its argv (a shell command as bash -c …) */
  argv: string[];
  status: 'running' | 'exited';
  startedAt: string;
  endedAt?: string;
  /** once it has exited */
  exit?: CommandExit;
}

/** a background process's output after a point: chunks in order, each with its number */
export interface ProcessOutput {
  process: ProcessView;
  chunks: { seq: number; stream: 'stdout' | 'stderr'; data: string; encoding: Encoding }[];
  /** ask with ?after=next for what comes later */
  next: number;
  /** chunks after the one asked for were dropped (only the latest backgroundOutputBytes are kept) */
  dropped: boolean;
}

export interface FileEntryJson {
  /** relative to the directory listed */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** permission bits */
  mode: number;
  mtime: string;
}

/** the terminal's WebSocket: what the client sends */
export type PtyClientMessage = { type: 'input'; data: string } | { type: 'resize'; cols: number; rows: number };

/** and what it gets: ready once the terminal is open, its output as it comes, its exit, or why it failed */
export type PtyServerMessage =
  | { type: 'ready'; id: number }
  | { type: 'output'; data: string }
  | { type: 'exit'; exitCode: number | null; signal: string | null }
  | { type: 'error'; code: string; message: string };

/** the WebSocket subprotocol a terminal speaks; a key may come as a second one, `codebox.bearer.<key>` */
export const PTY_SUBPROTOCOL = 'codebox.pty';
export const PTY_BEARER_PREFIX = 'codebox.bearer.';
