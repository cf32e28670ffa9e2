/**
 * The frames of a session call, as Redis stream entries, and the bounds they keep
 * (session-transport.ts uses them). Pure: no Redis here.
 *
 * An entry is a few short fields:
 *   t  kind: to a worker — req, data, eof, ctl, ack, cancel; to an API — data, event, end, error, ack
 *   r  the call's id (to a worker, whose one inbox carries every call's)
 *   s, o, j  req: the session, the operation, its arguments (JSON)
 *   c, b  data: its channel and its bytes (binary, as Redis strings are)
 *   j  event, end, error, ctl: a JSON value
 *   n  ack: the bytes the acking side has consumed in all
 *
 * Flow control: each side counts the cost of what it sends (data: its bytes; event, end,
 * error: their JSON's bytes) and never runs more than windowBytes ahead of what the other
 * side has acked, one frame of at most frameBytes excepted. Acks are free. So a call holds
 * at most windowBytes + frameBytes in Redis each way, whatever moves through it.
 */
import type { ApiErrorCode } from '@codebox/protocol';

export const SESSION_TRANSPORT = {
  /** the most bytes one data frame carries */
  frameBytes: 64 << 10,
  /** the most a sender runs ahead of its reader's acks */
  windowBytes: 256 << 10,
  /** a reply stream nobody reads is gone this long after its last frame */
  replyTtlMs: 60_000,
  /** a worker whose frames go unacked this long gives the call up (its API is gone) */
  stallMs: 30_000,
  /** how long one blocking read of a worker's inbox waits */
  inboxBlockMs: 5_000,
} as const;

/** what flows through a call: a command's output, a file's or archive's bytes, a terminal's, input */
export type Channel = 'stdin' | 'stdout' | 'stderr' | 'body' | 'pty';

export interface CallError {
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** what an API reads of a call */
export type ReplyFrame =
  | { readonly kind: 'data'; readonly channel: Channel; readonly bytes: Buffer }
  | { readonly kind: 'event'; readonly value: unknown }
  | { readonly kind: 'end'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: CallError };

/** an entry's fields by name (values as Buffers, as xreadBuffer gives them) */
export function fieldsOf(raw: readonly Buffer[]): Map<string, Buffer> {
  const f = new Map<string, Buffer>();
  for (let i = 0; i + 1 < raw.length; i += 2) f.set(raw[i]!.toString(), raw[i + 1]!);
  return f;
}

/** the cost of a frame against the window: data its bytes, a JSON value its text's */
export function frameCost(f: ReplyFrame): number {
  return f.kind === 'data' ? f.bytes.length : Buffer.byteLength(JSON.stringify(f.kind === 'error' ? f.error : f.value));
}

/** a reply entry as a frame; undefined for an ack (handled apart) or what this reader does not know */
export function replyFrame(f: Map<string, Buffer>): ReplyFrame | undefined {
  const t = f.get('t')?.toString();
  const json = (): unknown => JSON.parse(f.get('j')?.toString() ?? 'null');
  switch (t) {
    case 'data':
      return {
        kind: 'data',
        channel: (f.get('c')?.toString() ?? 'body') as Channel,
        bytes: f.get('b') ?? Buffer.alloc(0),
      };
    case 'event':
      return { kind: 'event', value: json() };
    case 'end':
      return { kind: 'end', value: json() };
    case 'error':
      return { kind: 'error', error: json() as CallError };
    default:
      return undefined;
  }
}

/** the fields of a frame an API reads */
export function replyFields(f: ReplyFrame): (string | Buffer)[] {
  switch (f.kind) {
    case 'data':
      return ['t', 'data', 'c', f.channel, 'b', f.bytes];
    case 'error':
      return ['t', 'error', 'j', JSON.stringify(f.error)];
    default:
      return ['t', f.kind, 'j', JSON.stringify(f.value)];
  }
}

/** the id just after a stream entry's: XTRIM MINID to it drops that entry and those before */
export function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq ?? 0) + 1}`;
}

/**
 * Items handed from a reader loop to one consumer, in order; a failure is thrown to the
 * consumer once what came before it is taken.
 */
export class FrameQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private ended = false;

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** no more items: take() gives undefined once the queue is empty */
  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    this.wake();
  }

  get size(): number {
    return this.items.length;
  }

  async take(): Promise<T | undefined> {
    for (;;) {
      if (this.items.length > 0) return this.items.shift();
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/** a count the other side acks, and waiters for room under the window */
export class Window {
  private sent = 0;
  private acked = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly windowBytes: number) {}

  /** room for cost more (one frame always fits when nothing is in flight) */
  hasRoom(cost: number): boolean {
    return this.sent === this.acked || this.sent - this.acked + cost <= this.windowBytes;
  }

  sending(cost: number): void {
    this.sent += cost;
  }

  ack(total: number): void {
    if (total <= this.acked) return;
    this.acked = total;
    this.wakeAll();
  }

  /** resolves at the next ack (or wakeAll: a failure the waiter looks at) */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** what a reader has consumed, and when to tell the sender: a quarter window at a time, or when it runs dry */
export class Acks {
  private consumed = 0;
  private told = 0;

  constructor(
    private readonly windowBytes: number,
    private readonly tell: (total: number) => void,
  ) {}

  consume(cost: number, dry: boolean): void {
    this.consumed += cost;
    if (this.consumed > this.told && (dry || this.consumed - this.told >= this.windowBytes / 4)) {
      this.told = this.consumed;
      this.tell(this.consumed);
    }
  }
}
