/**
 * What the session calls share: a session as its worker holds it, what every handler is
 * given, and the two ways a handler answers — a value (sent as body frames when it is
 * large, so no reply runs past the window) and a command's output, coalesced and sent in
 * order under the window.
 */
import type { Logger } from 'pino';
import { SESSION_TRANSPORT } from '@codebox/jobs';
import type { Channel, WorkerCall } from '@codebox/jobs';
import type { CommandExit, SessionPolicy, SessionUsageJson } from '@codebox/protocol';
import type { Registry, Runtime } from '@codebox/runtimes';
import type { CommandResult, Session } from './engine.js';
import type { OutputRing } from './output-ring.js';

/** a background process of a session */
export interface Background {
  readonly id: number;
  readonly argv: readonly string[];
  readonly startedAt: number;
  readonly ring: OutputRing;
  kill(signal?: NodeJS.Signals): void;
  /** resolves once it has exited (exit is set by then) */
  readonly done: Promise<void>;
  exit?: CommandExit;
  endedAt?: number;
}

export interface HostedSession {
  readonly id: string;
  readonly owner: string;
  readonly session: Session;
  readonly language: string | undefined;
  readonly idleTimeoutMs: number;
  readonly expiresAtMs: number;
  readonly processes: Map<number, Background>;
  /** calls in progress (an open terminal is one): the idle timeout runs only while there are none */
  active: number;
  terminals: number;
  /** when the idle timeout ends it, once no call is in progress */
  idleAtMs: number;
  idleTimer: NodeJS.Timeout | undefined;
  lifeTimer: NodeJS.Timeout | undefined;
  ending: Promise<void> | undefined;
  /** at its end, what the engine counted */
  usage?: SessionUsageJson | undefined;
}

export interface HandlerContext {
  readonly policy: SessionPolicy;
  readonly registry: Registry<Runtime>;
  /** a shell line's argv prefix: bash -c where the root has bash, else sh -c */
  readonly shell: readonly string[];
  readonly log: Logger;
}

export type Handler = (h: HandlerContext, s: HostedSession, call: WorkerCall) => Promise<void>;

/** a value as the call's end: inline when small, else as body frames and an end that says so */
export async function endWithValue(call: WorkerCall, value: unknown): Promise<void> {
  const json = Buffer.from(JSON.stringify(value));
  if (json.length <= SESSION_TRANSPORT.frameBytes) return call.end(value);
  await call.data('body', json);
  await call.end({ body: true });
}

/** every byte a call's input brings, up to maxBytes (more: refused with `tooLarge`) */
export async function readInput(call: WorkerCall, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for (let p = await call.nextInput(); p; p = await call.nextInput()) {
    n += p.bytes.length;
    if (n > maxBytes) throw tooLarge();
    parts.push(p.bytes);
  }
  return Buffer.concat(parts);
}

/**
 * A command's output to its call, in order, as the engine hands it over (its onOutput is
 * synchronous): chunks that come while a frame waits for the window join the next one, so a
 * program that writes a byte at a time makes few frames. What waits is at most what the
 * engine keeps of a command's output (its outputBytes), or maxPendingBytes.
 */
export class OutputSender {
  private readonly pending: { stream: Channel; data: Buffer }[] = [];
  private pendingBytes = 0;
  private running: Promise<void> | undefined;
  private failed = false;
  /** bytes dropped because more than maxPendingBytes waited */
  dropped = 0;

  private gate: Promise<void> = Promise.resolve();

  /** maxPendingBytes: for output the engine does not bound (a terminal's); past it, output is dropped */
  constructor(
    private readonly call: WorkerCall,
    private readonly maxPendingBytes = Infinity,
  ) {}

  /** output waits for this first (the event that must come before it: a command's start) */
  after(gate: Promise<unknown>): void {
    this.gate = gate.then(
      () => undefined,
      () => undefined,
    );
  }

  push(stream: Channel, data: Buffer): void {
    if (this.failed) return;
    if (this.pendingBytes + data.length > this.maxPendingBytes) {
      this.dropped += data.length;
      return;
    }
    this.pendingBytes += data.length;
    this.pending.push({ stream, data });
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** everything pushed so far is sent */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    await this.gate;
    while (this.pending.length > 0) {
      const first = this.pending[0]!;
      const parts: Buffer[] = [];
      let n = 0;
      while (this.pending[0]?.stream === first.stream && n < SESSION_TRANSPORT.frameBytes) {
        const c = this.pending.shift()!;
        this.pendingBytes -= c.data.length;
        parts.push(c.data);
        n += c.data.length;
      }
      try {
        await this.call.data(first.stream, Buffer.concat(parts));
      } catch {
        // the caller is gone: the rest is for no one (the command is killed by the call's abort)
        this.failed = true;
        this.pending.length = 0;
      }
    }
  }
}

/** a writable's room again, or its end: whichever comes first, leaving no listener behind */
export function drained(w: NodeJS.WritableStream & { destroyed?: boolean }): Promise<void> {
  if (w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      w.off('drain', done);
      w.off('close', done);
      w.off('error', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
    w.on('error', done);
  });
}

/** how a command ended, as the wire has it */
export function exitJson(r: CommandResult): CommandExit {
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    oomKilled: r.oomKilled,
    stdoutTruncated: r.stdoutTruncated,
    stderrTruncated: r.stderrTruncated,
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
    memoryBytes: r.memoryBytes,
  };
}
