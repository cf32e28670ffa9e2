/**
 * A worker's side of the session calls: its inbox stream, read by one loop (a blocking
 * read on a connection of its own), each entry dispatched to its call; and each call's
 * reply stream, written within the window (session-frames.ts). Read entries are trimmed
 * at once, so the inbox holds only what is in flight. The inbox's TTL is renewed with the
 * worker's heartbeat (refresh): once the worker is gone, an API's XADD (NOMKSTREAM) finds
 * no inbox.
 *
 * A call whose API is gone — it cancelled, or stopped acking for stallMs — is aborted
 * (WorkerCall.signal): whatever serves it stops, and what it holds is released.
 */
import { blockingConnection } from './connection.js';
import type { RedisConnection } from './connection.js';
import type { Keys } from './keys.js';
import {
  Acks,
  fieldsOf,
  FrameQueue,
  frameCost,
  nextId,
  replyFields,
  SESSION_TRANSPORT,
  Window,
} from './session-frames.js';
import type { CallError, Channel, ReplyFrame } from './session-frames.js';

export class WorkerInbox {
  private readonly calls = new Map<string, WorkerCall>();
  private readonly conn: RedisConnection;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: Keys,
    private readonly workerId: string,
    private readonly onCall: (call: WorkerCall) => void,
    private readonly ttlMs: number,
    /** a call whose frames go unacked this long is given up (tests shorten it) */
    private readonly stallMs: number = SESSION_TRANSPORT.stallMs,
  ) {
    this.conn = blockingConnection(redis);
  }

  get key(): string {
    return this.keys.workerInbox(this.workerId);
  }

  async start(): Promise<void> {
    await this.refresh();
    this.running = true;
    this.loop = this.read();
  }

  /** the inbox lives ttlMs more (made again if Redis lost it): the heartbeat calls this */
  async refresh(): Promise<void> {
    if ((await this.redis.pexpire(this.key, this.ttlMs)) === 1) return;
    await this.redis.multi().xadd(this.key, '*', 't', 'hello').pexpire(this.key, this.ttlMs).exec();
  }

  /** no more calls: the loop stops, calls in flight are aborted, the inbox goes */
  async stop(): Promise<void> {
    this.running = false;
    this.conn.disconnect();
    await this.loop;
    for (const call of this.calls.values()) call.abort('the worker is stopping');
    await this.redis.del(this.key).catch(() => undefined);
  }

  private async read(): Promise<void> {
    let after = '0-0';
    while (this.running) {
      let entries: [Buffer, Buffer[]][];
      try {
        const reply = await this.conn.xreadBuffer(
          'COUNT',
          256,
          'BLOCK',
          SESSION_TRANSPORT.inboxBlockMs,
          'STREAMS',
          this.key,
          after,
        );
        entries = reply?.[0]?.[1] ?? [];
      } catch {
        // Redis away: the connection reconnects by itself; look again in a moment
        if (this.running) await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const [id, raw] of entries) {
        after = id.toString();
        this.dispatch(fieldsOf(raw));
      }
      if (entries.length > 0) await this.redis.xtrim(this.key, 'MINID', nextId(after)).catch(() => undefined);
    }
  }

  private dispatch(f: Map<string, Buffer>): void {
    const type = f.get('t')?.toString();
    const rid = f.get('r')?.toString() ?? '';
    if (type === 'req') {
      if (this.calls.has(rid)) return;
      let args: unknown;
      try {
        args = JSON.parse(f.get('j')?.toString() ?? 'null');
      } catch {
        args = null;
      }
      const call = new WorkerCall(
        this.redis,
        this.keys.sessionReply(rid),
        rid,
        f.get('s')?.toString() ?? '',
        f.get('o')?.toString() ?? '',
        args,
        this.stallMs,
        () => this.calls.delete(rid),
      );
      this.calls.set(rid, call);
      this.onCall(call);
      return;
    }
    const call = this.calls.get(rid);
    if (!call) return; // over already: what is left of it is for no one
    switch (type) {
      case 'data':
        return call.pushInput((f.get('c')?.toString() ?? 'body') as Channel, f.get('b') ?? Buffer.alloc(0));
      case 'eof':
        return call.pushEof();
      case 'ack':
        return call.acked(Number(f.get('n')?.toString()));
      case 'ctl':
        return call.pushControl(JSON.parse(f.get('j')?.toString() ?? 'null'));
      case 'cancel':
        return call.abort('the caller went away');
      default:
        return;
    }
  }
}

/**
 * One call, as its worker serves it: its request (sessionId, op, args), its input as it
 * comes (acked as it is consumed), and its reply, written in order within the window.
 * end() or fail() is its last word; done() forgets it.
 */
export class WorkerCall {
  private readonly ac = new AbortController();
  private readonly window = new Window(SESSION_TRANSPORT.windowBytes);
  private readonly inputQueue = new FrameQueue<{ channel: Channel; bytes: Buffer }>();
  private readonly inputAcks: Acks;
  private inputHandedOut = 0;
  private readonly controls: ((value: unknown) => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private over = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly replyKey: string,
    readonly id: string,
    readonly sessionId: string,
    readonly op: string,
    readonly args: unknown,
    private readonly stallMs: number,
    private readonly forget: () => void,
  ) {
    this.inputAcks = new Acks(
      SESSION_TRANSPORT.windowBytes,
      (n) => void this.write(['t', 'ack', 'n', String(n)]).catch(() => undefined),
    );
  }

  /** aborted when the caller cancels, stops reading, or the worker stops */
  get signal(): AbortSignal {
    return this.ac.signal;
  }

  abort(why: string): void {
    if (!this.ac.signal.aborted) this.ac.abort(new Error(why));
    this.window.wakeAll();
    this.inputQueue.fail(new Error(why));
  }

  /** the next piece of input; undefined at its end (eof). Each one asked for acks the one before */
  async nextInput(): Promise<{ channel: Channel; bytes: Buffer } | undefined> {
    this.inputAcks.consume(this.inputHandedOut, this.inputQueue.size === 0);
    this.inputHandedOut = 0;
    const piece = await this.inputQueue.take();
    if (piece) this.inputHandedOut = piece.bytes.length;
    return piece;
  }

  onControl(listener: (value: unknown) => void): void {
    this.controls.push(listener);
  }

  /** bytes on a channel, in frames, within the window */
  async data(channel: Channel, bytes: Buffer): Promise<void> {
    for (let at = 0; at < bytes.length; at += SESSION_TRANSPORT.frameBytes)
      await this.send({ kind: 'data', channel, bytes: bytes.subarray(at, at + SESSION_TRANSPORT.frameBytes) });
  }

  event(value: unknown): Promise<void> {
    return this.send({ kind: 'event', value });
  }

  /** the reply's last word: a value */
  async end(value: unknown): Promise<void> {
    await this.send({ kind: 'end', value });
    this.done();
  }

  /** the reply's last word: an error the API answers with */
  async fail(error: CallError): Promise<void> {
    try {
      if (!this.over && !this.signal.aborted) await this.send({ kind: 'error', error });
    } finally {
      this.done();
    }
  }

  /** forgotten by the inbox: nothing more of this call is read */
  done(): void {
    if (this.over) return;
    this.over = true;
    this.forget();
    this.inputQueue.fail(new Error('the call is over'));
  }

  get isOver(): boolean {
    return this.over;
  }

  pushInput(channel: Channel, bytes: Buffer): void {
    this.inputQueue.push({ channel, bytes });
  }

  pushEof(): void {
    this.inputQueue.end();
  }

  pushControl(value: unknown): void {
    for (const l of this.controls) l(value);
  }

  acked(total: number): void {
    this.window.ack(total);
  }

  private async send(frame: ReplyFrame): Promise<void> {
    const cost = frameCost(frame);
    const since = Date.now();
    while (!this.window.hasRoom(cost)) {
      if (this.signal.aborted) throw this.signal.reason as Error;
      const left = this.stallMs - (Date.now() - since);
      if (left <= 0) {
        this.abort('its caller stopped reading');
        throw this.signal.reason as Error;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.window.next(), new Promise((r) => (timer = setTimeout(r, left)))]).finally(() =>
        clearTimeout(timer),
      );
    }
    if (this.signal.aborted) throw this.signal.reason as Error;
    this.window.sending(cost);
    await this.write(replyFields(frame));
  }

  /** one entry on the reply stream, in order with the ones before; the stream lives replyTtlMs more */
  private write(fields: (string | Buffer)[]): Promise<void> {
    const next = this.chain.then(async () => {
      await this.redis
        .multi()
        .xadd(this.replyKey, '*', ...fields)
        .pexpire(this.replyKey, SESSION_TRANSPORT.replyTtlMs)
        .exec();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
