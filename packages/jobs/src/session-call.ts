/**
 * A call to a session, from the API's side. The API reaches a session's worker only
 * through Redis (a worker may sit behind NAT): it adds the request to the worker's inbox
 * stream and reads the reply from a stream of the call's own, with blocking reads of a
 * StreamReader (the API's StreamHub) (session-frames.ts has the frames and their bounds).
 *
 *   start()          the request, to the worker's inbox (none: the worker is gone)
 *   next()           the reply's frames, in order: data, events, then end or error
 *   send()/eof()     input (stdin, an upload, keystrokes), within the window
 *   control()        a small message outside the data (a terminal's resize)
 *   close()          the call is over: a call that had not ended is cancelled at the worker
 *
 * Never a hang: while no frame comes, the reader looks at the session every pollMs
 * (check: SessionStore.check), and a session that is not ready any more — its worker
 * lost, its end come — fails the call (SESSION_LOST, SESSION_NOT_FOUND), within
 * sessionLostBoundMs of the worker's death (timings.ts).
 */
import crypto from 'node:crypto';
import { ApiError } from '@codebox/protocol';
import type { SessionStatus } from '@codebox/protocol';
import type { RedisConnection } from './connection.js';
import type { StreamReader } from './stream-hub.js';
import type { Keys } from './keys.js';
import {
  Acks,
  fieldsOf,
  FrameQueue,
  frameCost,
  nextId,
  replyFrame,
  SESSION_TRANSPORT,
  Window,
} from './session-frames.js';
import type { Channel, ReplyFrame } from './session-frames.js';

export interface CallDeps {
  /** for writes */
  readonly redis: RedisConnection;
  /** the call's own reader for its blocking reads; closed when the call closes */
  readonly reader: StreamReader;
  readonly keys: Keys;
  /** the session's status now (SessionStore.check): anything but 'ready' ends the call */
  readonly check: () => Promise<SessionStatus | 'missing'>;
  readonly pollMs: number;
}

/** the answer to a session that is not ready: lost (410), or gone (404) */
export function notReady(status: SessionStatus | 'missing', id: string): ApiError {
  if (status === 'lost') return new ApiError('SESSION_LOST', `session ${id}: its worker is gone`, { status });
  return new ApiError('SESSION_NOT_FOUND', `no session ${id}${status === 'ended' ? ' (it has ended)' : ''}`, {
    ...(status === 'missing' ? {} : { status }),
  });
}

export class SessionCall {
  readonly id = crypto.randomUUID();
  private readonly queue = new FrameQueue<ReplyFrame>();
  private readonly input = new Window(SESSION_TRANSPORT.windowBytes);
  private readonly acks: Acks;
  /** the cost of the frame handed out last: consumed when the next is asked for */
  private handedOut = 0;
  private finished = false;
  private closed = false;
  private failure: Error | undefined;

  constructor(
    private readonly d: CallDeps,
    readonly workerId: string,
    readonly sessionId: string,
    readonly op: string,
    readonly args: unknown,
  ) {
    this.acks = new Acks(
      SESSION_TRANSPORT.windowBytes,
      (n) => void this.toInbox('ack', ['n', String(n)]).catch(() => undefined),
    );
  }

  /** sends the request and starts reading the reply */
  async start(): Promise<void> {
    const added = await this.toInbox('req', [
      's',
      this.sessionId,
      'o',
      this.op,
      'j',
      JSON.stringify(this.args ?? null),
    ]);
    if (added === null) {
      // no inbox: the worker is gone, or Redis lost it; the session's record says which
      const status = await this.d.check();
      throw status === 'ready'
        ? new ApiError('UNAVAILABLE', "the session's worker is not taking calls; retry shortly", undefined, 1)
        : notReady(status, this.sessionId);
    }
    void this.read();
  }

  /** the next frame; undefined after end or error (an error frame comes as a frame) */
  async next(): Promise<ReplyFrame | undefined> {
    this.acks.consume(this.handedOut, this.queue.size === 0);
    this.handedOut = 0;
    const f = await this.queue.take();
    if (f) this.handedOut = frameCost(f);
    return f;
  }

  /** input on a channel, in frames, never more than the window ahead of the worker */
  async send(channel: Channel, data: Buffer): Promise<void> {
    for (let at = 0; at < data.length; at += SESSION_TRANSPORT.frameBytes) {
      const part = data.subarray(at, at + SESSION_TRANSPORT.frameBytes);
      while (!this.input.hasRoom(part.length)) {
        this.throwIfOver();
        await this.input.next();
      }
      this.throwIfOver();
      this.input.sending(part.length);
      await this.toInbox('data', ['c', channel, 'b', part]);
    }
  }

  async eof(channel: Channel): Promise<void> {
    this.throwIfOver();
    await this.toInbox('eof', ['c', channel]);
  }

  async control(value: unknown): Promise<void> {
    this.throwIfOver();
    await this.toInbox('ctl', ['j', JSON.stringify(value)]);
  }

  /** the call is over for its caller: its reads stop, its stream goes; a call not ended is cancelled */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.d.reader.close();
    // a consumer still waiting (a timer closed the call) is told, not left hanging
    this.queue.fail(new Error('the call was closed'));
    this.input.wakeAll();
    if (!this.finished) void this.toInbox('cancel', []).catch(() => undefined);
    void this.d.redis.del(this.d.keys.sessionReply(this.id)).catch(() => undefined);
  }

  private throwIfOver(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed || this.finished) throw new Error('the call is over');
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    this.queue.fail(err);
    this.input.wakeAll();
  }

  private toInbox(type: string, fields: (string | Buffer)[]): Promise<string | null> {
    return this.d.redis.xadd(
      this.d.keys.workerInbox(this.workerId),
      'NOMKSTREAM',
      '*',
      't',
      type,
      'r',
      this.id,
      ...fields,
    );
  }

  /** the reader loop: frames to the queue, acks to the input window, a look at the session while quiet */
  private async read(): Promise<void> {
    const key = this.d.keys.sessionReply(this.id);
    let after = '0-0';
    let lookedAt = Date.now();
    while (!this.closed && !this.finished) {
      let entries: [string, Buffer[]][];
      try {
        entries = await this.d.reader.read(key, after, this.d.pollMs);
      } catch (err) {
        if (!this.closed) this.fail(err);
        return;
      }
      for (const [id, raw] of entries) {
        after = id;
        const f = fieldsOf(raw);
        if (f.get('t')?.toString() === 'ack') {
          this.input.ack(Number(f.get('n')?.toString()));
          continue;
        }
        const frame = replyFrame(f);
        if (!frame) continue;
        this.queue.push(frame);
        if (frame.kind === 'end' || frame.kind === 'error') {
          this.finished = true;
          this.queue.end();
          this.input.wakeAll();
        }
      }
      if (entries.length > 0) {
        await this.d.redis.xtrim(key, 'MINID', nextId(after)).catch(() => undefined);
        continue;
      }
      if (Date.now() - lookedAt < this.d.pollMs) continue;
      lookedAt = Date.now();
      try {
        const status = await this.d.check();
        if (status !== 'ready') this.fail(notReady(status, this.sessionId));
      } catch (err) {
        if (!this.closed) this.fail(err);
      }
      if (this.failure !== undefined) return;
    }
  }
}
