/**
 * The engine's side of the box init's control socket (native/box-init.c has the
 * protocol). The init says hello once bwrap has set the box up; takes the run's files,
 * command, environment, working directory and rlimits; writes the files itself, inside
 * the box, so that they are charged to the box; says it is ready; and execs the command
 * when told to go.
 *
 * A message that cannot come (the init died, the socket closed) resolves as 'ended':
 * the caller then looks at why (an OOM kill while it wrote the files, bwrap's message).
 *
 * A session's init stays after the go and takes frames (sendFrame): commands, with their
 * stdio as descriptors passed along (SCM_RIGHTS), and signals. From then on every write
 * goes through sendmsg on the socket's descriptor, never through Node's stream, so the
 * two cannot interleave.
 */
import type net from 'node:net';
import os from 'node:os';
import { sendFds } from './native/libc.js';
import type { FileSpec } from './spec.js';

/** the init's numbering of what the engine sends (Linux's rlimit resources) */
export const RLIMIT = { cpu: 0, fsize: 1, stack: 3, core: 4, nofile: 7, memlock: 8, sigpending: 11 } as const;

export interface InitRlimit {
  readonly resource: number;
  readonly soft: number;
  readonly hard: number;
}

export interface InitCommand {
  readonly files: readonly FileSpec[];
  readonly argv: readonly string[];
  /** NAME=VALUE, in order: exactly the program's environment */
  readonly env: readonly string[];
  readonly cwd: string;
  readonly rlimits: readonly InitRlimit[];
  /** the init stays after the go and takes commands (argv is then empty) */
  readonly session?: boolean;
}

export type InitMessage =
  | { readonly type: 'hello' | 'ready' | 'ended' }
  | { readonly type: 'error'; readonly text: string }
  | { readonly type: 'exec-failed'; readonly errno: number }
  // a session's
  | { readonly type: 'started'; readonly id: number; readonly pid: number }
  | { readonly type: 'start-failed'; readonly id: number; readonly errno: number }
  | {
      readonly type: 'exited';
      readonly id: number;
      /** the raw wait status */
      readonly status: number;
      readonly userUs: number;
      readonly systemUs: number;
      readonly maxRssKiB: number;
    };

const MAGIC = 0x31584243; // "CBX1"
const SESSION_MAGIC = 0x31534243; // "CBS1"

export class InitChannel {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  private waiter: (() => void) | undefined;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.wake();
    });
    const end = (): void => {
      this.ended = true;
      this.wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  /** the next message from the init ('ended' once the socket has closed and nothing is left) */
  async next(): Promise<InitMessage> {
    for (;;) {
      const m = this.parse();
      if (m) return m;
      if (this.ended) return { type: 'ended' };
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** sends the command; resolves once the socket has taken every byte */
  async send(command: InitCommand): Promise<void> {
    for (const chunk of encodeCommand(command)) {
      if (this.ended) return;
      if (!this.socket.write(chunk))
        await new Promise<void>((resolve) => this.socket.once('drain', resolve).once('close', resolve));
    }
  }

  go(): void {
    if (!this.ended) this.socket.write('G');
  }

  /**
   * A session's frame: kind, u32 length, payload, with descriptors attached. Frames go
   * out in order; the descriptors are the caller's to close once this resolves (the
   * kernel holds its own references from the send). Resolves false when the init is gone.
   */
  sendFrame(kind: string, payload: Buffer, fds: readonly number[] = []): Promise<boolean> {
    const head = Buffer.alloc(5);
    head.write(kind, 0, 'latin1');
    head.writeUInt32LE(payload.length, 1);
    return new Promise((resolve) => {
      this.frames.push({ data: Buffer.concat([head, payload]), fds, resolve });
      if (this.frames.length === 1) void this.flushFrames();
    });
  }

  close(): void {
    this.ended = true;
    this.socket.destroy();
    for (const f of this.frames.splice(0)) f.resolve(false);
  }

  private readonly frames: { data: Buffer; fds: readonly number[]; resolve: (sent: boolean) => void }[] = [];

  private async flushFrames(): Promise<void> {
    // Node's own writes (the spec, the go) are done before the first frame
    while (this.socket.writableLength > 0 && !this.ended) await new Promise((r) => setTimeout(r, 1));
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    let wait = 1;
    while (this.frames.length > 0) {
      const frame = this.frames[0];
      if (!frame) break;
      if (this.ended || fd === undefined || fd < 0) {
        for (const f of this.frames.splice(0)) f.resolve(false);
        return;
      }
      const sent = sendFds(fd, frame.data, frame.fds);
      if (sent === -os.constants.errno.EAGAIN || sent === -os.constants.errno.EINTR) {
        // the init is busy (a command starting): it reads again within milliseconds
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 50);
        continue;
      }
      wait = 1;
      if (sent < 0) {
        this.ended = true;
        continue;
      }
      if (sent < frame.data.length) {
        // the descriptors went with the first byte; the rest follows without them
        this.frames[0] = { ...frame, data: frame.data.subarray(sent), fds: [] };
        continue;
      }
      this.frames.shift();
      frame.resolve(true);
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private parse(): InitMessage | undefined {
    const b = this.pending;
    if (b.length === 0) return undefined;
    const kind = String.fromCharCode(b[0] ?? 0);
    const take = (n: number): Buffer => {
      const out = b.subarray(0, n);
      this.pending = b.subarray(n);
      return out;
    };
    switch (kind) {
      case 'H':
        take(1);
        return { type: 'hello' };
      case 'R':
        take(1);
        return { type: 'ready' };
      case 'X':
        if (b.length < 5) return undefined;
        return { type: 'exec-failed', errno: take(5).readUInt32LE(1) };
      case 'P':
      case 'F': {
        if (b.length < 9) return undefined;
        const m = take(9);
        const id = m.readUInt32LE(1);
        return kind === 'P'
          ? { type: 'started', id, pid: m.readUInt32LE(5) }
          : { type: 'start-failed', id, errno: m.readUInt32LE(5) };
      }
      case 'Q': {
        if (b.length < 33) return undefined;
        const m = take(33);
        return {
          type: 'exited',
          id: m.readUInt32LE(1),
          status: m.readInt32LE(5),
          userUs: Number(m.readBigUInt64LE(9)),
          systemUs: Number(m.readBigUInt64LE(17)),
          maxRssKiB: Number(m.readBigUInt64LE(25)),
        };
      }
      case 'E': {
        if (b.length < 5) return undefined;
        const n = b.readUInt32LE(1);
        if (b.length < 5 + n) return undefined;
        return {
          type: 'error',
          text: take(5 + n)
            .subarray(5)
            .toString(),
        };
      }
      default:
        take(b.length);
        return { type: 'error', text: `the box init sent an unknown message (${kind.charCodeAt(0)})` };
    }
  }
}

/** The command as the init reads it; file contents are passed through, not copied. */
export function encodeCommand(c: InitCommand): Buffer[] {
  const chunks: Buffer[] = [u32(c.session ? SESSION_MAGIC : MAGIC), u32(c.files.length)];
  for (const f of c.files) {
    const content = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
    chunks.push(str(f.path), u32((f.mode ?? 0o644) & 0o777), u64(content.length), content);
  }
  chunks.push(u32(c.argv.length), ...c.argv.map(str));
  chunks.push(u32(c.env.length), ...c.env.map(str));
  chunks.push(str(c.cwd), u32(c.rlimits.length));
  for (const r of c.rlimits) chunks.push(u32(r.resource), u64(r.soft), u64(r.hard));
  return chunks;
}

/** a session's 'C' frame payload: u32 id, u32 flags, u32 descriptors, argv, envp, cwd */
export function encodeStart(
  id: number,
  flags: number,
  fds: number,
  argv: readonly string[],
  env: readonly string[],
  cwd: string,
): Buffer {
  return Buffer.concat([
    u32(id),
    u32(flags),
    u32(fds),
    u32(argv.length),
    ...argv.map(str),
    u32(env.length),
    ...env.map(str),
    str(cwd),
  ]);
}

export const START_FLAGS = { terminal: 1, builtin: 2 } as const;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function str(s: string): Buffer {
  const bytes = Buffer.from(s);
  return Buffer.concat([u32(bytes.length), bytes]);
}
