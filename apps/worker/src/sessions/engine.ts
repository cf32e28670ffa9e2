/**
 * The engine's sessions as the worker uses them: the interface of
 * packages/sandbox/src/session-types.ts (fixed ahead of its engine), and the one method the
 * Sandbox gains for it. Until the engine exports these from @codebox/sandbox, this file
 * mirrors them; once it does, it re-exports them and nothing else changes.
 */
import type { Readable, Writable } from 'node:stream';
import type { FileSpec, Limits, NetworkMode } from '@codebox/sandbox';

export interface SessionSpec {
  readonly limits?: Partial<Limits>;
  readonly network?: NetworkMode;
  readonly rootfs?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly files?: readonly FileSpec[];
}

/* eslint-disable @typescript-eslint/no-redundant-type-constituents -- the engine's own spelling */
export interface CommandSpec {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly stdin?: Buffer | string | Readable | 'pipe';
  readonly timeoutMs?: number;
}
/* eslint-enable @typescript-eslint/no-redundant-type-constituents */

export interface CommandHooks {
  readonly onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  readonly timedOut: boolean;
  readonly oomKilled: boolean;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly memoryBytes: number;
}

export interface CommandHandle {
  readonly id: number;
  readonly stdin: Writable | undefined;
  readonly done: Promise<CommandResult>;
  kill(signal?: NodeJS.Signals): void;
}

export interface TerminalSpec {
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly cols?: number;
  readonly rows?: number;
}

export interface Terminal {
  readonly id: number;
  write(data: Buffer | string): void;
  resize(cols: number, rows: number): void;
  onData(listener: (chunk: Buffer) => void): void;
  close(): void;
  readonly done: Promise<{ readonly exitCode: number | null; readonly signal: string | null }>;
}

export type FileType = 'file' | 'dir' | 'symlink' | 'other';

export interface FileEntry {
  readonly path: string;
  readonly type: FileType;
  readonly size: number;
  readonly mode: number;
  readonly mtimeMs: number;
}

export interface SessionUsage {
  readonly cpuMs: number;
  readonly memoryBytes: number;
  readonly memoryPeakBytes: number;
  readonly processes: number;
  readonly workDirBytes: number;
  readonly oomKills: number;
}

export interface SessionEnd {
  readonly reason: 'closed' | 'box-ended';
  readonly usage: SessionUsage;
}

export interface Session {
  readonly name: string;
  readonly limits: Limits;
  exec(command: CommandSpec, hooks?: CommandHooks): CommandHandle;
  terminal(spec?: TerminalSpec): Promise<Terminal>;
  readFile(path: string, options?: { maxBytes?: number }): Promise<Buffer>;
  writeFile(path: string, content: Buffer | string, options?: { mode?: number }): Promise<void>;
  list(path?: string, options?: { depth?: number }): Promise<FileEntry[]>;
  remove(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  download(path?: string): Readable;
  upload(tar: Readable, path?: string): Promise<void>;
  usage(): Promise<SessionUsage>;
  close(): Promise<SessionEnd>;
  readonly ended: Promise<SessionEnd>;
}

/** what the worker needs of the engine for sessions */
export interface SessionEngine {
  openSession(spec: SessionSpec): Promise<Session>;
}
