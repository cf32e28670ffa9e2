/**
 * An in-process stand-in for the engine's Session, for the unit tests of the host's routing
 * and state (open, calls, timeouts, ends) without a box. It runs nothing: a handful of
 * argv shapes answer as a test needs (echo, cat, sleep, yes, exit), files live in a Map.
 * The service tests (test/service) use real boxes, never this.
 */
import { PassThrough, Readable } from 'node:stream';
import type { Limits } from '@codebox/sandbox';
import { DEFAULT_LIMITS, FileError } from '@codebox/sandbox';
import type {
  CommandHandle,
  CommandHooks,
  CommandResult,
  CommandSpec,
  FileEntry,
  Session,
  SessionEnd,
  SessionEngine,
  Terminal,
} from './engine.js';

const usage = { cpuMs: 1, memoryBytes: 1, memoryPeakBytes: 2, processes: 2, workDirBytes: 0, oomKills: 0 };

function result(stdout: Buffer, over: Partial<CommandResult> = {}): CommandResult {
  return {
    exitCode: 0,
    signal: null,
    stdout,
    stderr: Buffer.alloc(0),
    stdoutTruncated: false,
    stderrTruncated: false,
    timedOut: false,
    oomKilled: false,
    wallMs: 1,
    cpuMs: 1,
    memoryBytes: 1,
    ...over,
  };
}

export class FakeSession implements Session {
  readonly name = 'fake';
  readonly limits: Limits = DEFAULT_LIMITS;
  readonly files = new Map<string, Buffer>();
  readonly commands: string[][] = [];
  closed = false;
  private next = 0;
  private endNow!: (e: SessionEnd) => void;
  readonly ended = new Promise<SessionEnd>((r) => (this.endNow = r));

  exec(spec: CommandSpec, hooks: CommandHooks = {}): CommandHandle {
    const argv = [...spec.argv];
    this.commands.push(argv);
    const id = ++this.next;
    let killed: (signal: string) => void = () => undefined;
    const wasKilled = new Promise<string>((r) => (killed = r));
    const stdin = spec.openStdin ? new PassThrough() : undefined;
    const out = (b: Buffer): void => hooks.onOutput?.('stdout', b);
    const done = (async (): Promise<CommandResult> => {
      const [cmd, ...args] = argv;
      if (cmd === 'echo') {
        const b = Buffer.from(`${args.join(' ')}\n`);
        out(b);
        return result(b);
      }
      if (cmd === 'cat' && stdin) {
        const parts: Buffer[] = [];
        for await (const c of stdin) {
          parts.push(c as Buffer);
          out(c as Buffer);
        }
        return result(Buffer.concat(parts));
      }
      if (cmd === 'yes') {
        for (;;) {
          out(Buffer.from('y\n'.repeat(512)));
          const sig = await Promise.race([wasKilled, new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
          if (sig) return result(Buffer.alloc(0), { exitCode: null, signal: sig });
        }
      }
      if (cmd === 'sleep') {
        const sig = await Promise.race([
          wasKilled,
          new Promise<undefined>((r) => setTimeout(() => r(undefined), Number(args[0]) * 1000)),
        ]);
        return sig ? result(Buffer.alloc(0), { exitCode: null, signal: sig }) : result(Buffer.alloc(0));
      }
      if (cmd === 'exit') return result(Buffer.alloc(0), { exitCode: Number(args[0]) });
      return result(Buffer.alloc(0), { exitCode: 127 });
    })();
    return { id, stdin, done, kill: (signal = 'SIGKILL') => killed(signal) };
  }

  async terminal(): Promise<Terminal> {
    const listeners: ((b: Buffer) => void)[] = [];
    let exit!: (v: { exitCode: number | null; signal: string | null }) => void;
    const done = new Promise<{ exitCode: number | null; signal: string | null }>((r) => (exit = r));
    return {
      id: ++this.next,
      // a terminal that echoes, and exits on "exit\r"
      write: (data) => {
        const text = data.toString();
        for (const l of listeners) l(Buffer.from(text));
        if (text.includes('exit\r')) exit({ exitCode: 0, signal: null });
      },
      resize: (cols, rows) => listeners.forEach((l) => l(Buffer.from(`[${cols}x${rows}]`))),
      onData: (l) => void listeners.push(l),
      close: () => exit({ exitCode: null, signal: 'SIGHUP' }),
      done,
    };
  }

  async readFile(path: string): Promise<Buffer> {
    const f = this.files.get(path);
    if (!f) throw new FileError('NOT_FOUND', path, 'no such file');
    return f;
  }

  async writeFile(path: string, content: Buffer | string): Promise<void> {
    this.files.set(path, Buffer.from(content));
  }

  async list(): Promise<FileEntry[]> {
    return [...this.files].map(([path, b]) => ({ path, type: 'file', size: b.length, mode: 0o644, mtimeMs: 0 }));
  }

  async remove(path: string): Promise<void> {
    if (!this.files.delete(path))
      throw Object.assign(new Error('no such file'), { name: 'FileError', code: 'NOT_FOUND' });
  }

  async mkdir(): Promise<void> {}

  download(): Readable {
    return Readable.from([Buffer.from(JSON.stringify([...this.files.keys()]))]);
  }

  async upload(tar: Readable): Promise<void> {
    for await (const _ of tar) void _;
  }

  async usage() {
    return usage;
  }

  async close(): Promise<SessionEnd> {
    this.closed = true;
    const e: SessionEnd = { reason: 'closed', usage };
    this.endNow(e);
    return e;
  }
}

/** an engine whose sessions are FakeSessions, kept for the test to look at */
export function fakeEngine(): SessionEngine & { readonly opened: FakeSession[] } {
  const opened: FakeSession[] = [];
  return {
    opened,
    openSession: async (spec) => {
      const s = new FakeSession();
      for (const f of spec?.files ?? []) s.files.set(f.path, Buffer.from(f.content));
      opened.push(s);
      return s;
    },
  };
}
