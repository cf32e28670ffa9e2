/**
 * Blocking reads of many streams on a few Redis connections.
 *
 * An API process waits on streams all the time: every SSE follower and every ?wait=true of
 * a job's events, every session call's replies. With a connection each, every wait cost a
 * TCP connect, a handshake, a client on the server and a close, for what is one XREAD, and a
 * thousand followers were a thousand of Redis's clients (10,000 by default at most). Here
 * one loop holds one XREAD BLOCK over the streams of up to 32 waits (a lane; more waits,
 * more lanes), and a wait that the read in flight does not cover (a new stream, or an
 * earlier id) wakes it with CLIENT UNBLOCK, sent on the command connection, so that the
 * next read includes it.
 *
 * Where that cannot work each reader has a connection of its own, as before: on a cluster
 * (one XREAD reads the streams of one slot only) and on a server whose ACL refuses CLIENT
 * UNBLOCK.
 */
import { Cluster } from 'ioredis';
import { blockingConnection } from './connection.js';
import type { RedisConnection } from './connection.js';

/** a stream entry: its id and its fields (name, value, ...) as the server sent them */
export type StreamEntry = [id: string, fields: Buffer[]];

export interface StreamReader {
  /** entries of `key` after the id `after`, waiting up to blockMs for the first; [] when none came */
  read(key: string, after: string, blockMs: number): Promise<StreamEntry[]>;
  /** the reader is done: a read waiting ends at once with [], and so does every later one */
  close(): void;
}

export interface StreamHubOptions {
  /** entries read per stream at most, per read */
  readonly count?: number;
  /**
   * the longest the shared XREAD blocks before it is sent again: it bounds how late a
   * wait is served after the connection was lost and came back (its client id unknown)
   */
  readonly blockMs?: number;
}

const STREAM_ID = /^(\d{1,20})(?:-(\d{1,20}))?$/;
const U64_MAX = 2n ** 64n - 1n;

/**
 * A stream id as a number that orders like the server orders them ('5' is '5-0'). One
 * the server would refuse (its parts are 64-bit) is refused here: in a shared read it
 * would fail the reads of every other wait beside it.
 */
function idValue(id: string): bigint {
  const m = STREAM_ID.exec(id);
  const [ms, seq] = m ? [BigInt(m[1]!), BigInt(m[2] ?? 0)] : [-1n, -1n];
  if (ms < 0n || ms > U64_MAX || seq > U64_MAX) throw new Error(`not a stream id: ${JSON.stringify(id.slice(0, 50))}`);
  return (ms << 64n) | seq;
}

/** a stream id Redis takes: ms or ms-seq, each part 64 bits at most */
export function isStreamId(id: string): boolean {
  try {
    idValue(id);
    return true;
  } catch {
    return false;
  }
}

type XReadReply = [key: Buffer, entries: [id: Buffer, fields: Buffer[]][]][] | null;

interface Wait {
  readonly key: string;
  readonly after: bigint;
  readonly resolve: (entries: StreamEntry[]) => void;
  readonly reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
  lane?: Lane;
}

/**
 * Streams one shared read covers at most. Each entry that comes ends the read and sends
 * it again with every stream it covers, which the server registers one by one: a read
 * over a thousand streams, sent again per event, would cost Redis more than the
 * connections it saves. So streams go in lanes of this many, a connection each.
 */
const LANE_STREAMS = 32;

export class StreamHub {
  private readonly count: number;
  private readonly blockMs: number;
  private readonly lanes: Lane[] = [];
  /** the lane each stream waited on is read in */
  private readonly laneOf = new Map<string, Lane>();
  /** whether the server lets us unblock our own read; asked once */
  private shared: Promise<boolean> | undefined;
  private closed = false;

  constructor(
    private readonly redis: RedisConnection,
    options: StreamHubOptions = {},
  ) {
    this.count = options.count ?? 1_000;
    this.blockMs = options.blockMs ?? 5_000;
  }

  /** a reader for one follower or call; close() it when done */
  reader(): StreamReader {
    if (this.redis instanceof Cluster) return new OwnReader(this.redis, this.count);
    let own: OwnReader | undefined;
    let current: Wait | undefined;
    let closed = false;
    return {
      read: async (key, after, blockMs) => {
        if (closed) return [];
        if (!(await this.canShare())) {
          own ??= new OwnReader(this.redis, this.count);
          return own.read(key, after, blockMs);
        }
        if (closed) return [];
        return new Promise<StreamEntry[]>((resolve, reject) => {
          const settle = (fn: () => void) => {
            current = undefined;
            fn();
          };
          const w: Wait = {
            key,
            after: idValue(after),
            resolve: (e) => settle(() => resolve(e)),
            reject: (err) => settle(() => reject(err)),
          };
          current = w;
          this.add(w, blockMs);
        });
      },
      close: () => {
        closed = true;
        own?.close();
        if (current) current.lane?.settle(current, []);
      },
    };
  }

  /** ends every wait ([]) and the shared connections */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes) lane.close();
  }

  /** CLIENT UNBLOCK of a client that does not exist answers 0; an ACL that refuses it, an error */
  private canShare(): Promise<boolean> {
    this.shared ??= Promise.resolve(this.redis.client('UNBLOCK', '0')).then(
      () => true,
      (err: Error) => {
        if (/NOPERM|unknown (sub)?command/i.test(err.message)) return false;
        this.shared = undefined; // Redis not there now: ask again next time
        throw err;
      },
    );
    return this.shared;
  }

  private add(w: Wait, blockMs: number): void {
    if (this.closed) return w.resolve([]);
    let lane = this.laneOf.get(w.key);
    if (!lane) {
      lane = this.lanes.find((l) => l.streams < LANE_STREAMS);
      if (!lane) {
        lane = new Lane(this.redis, this.count, this.blockMs, (key) => this.laneOf.delete(key));
        this.lanes.push(lane);
      }
      this.laneOf.set(w.key, lane);
    }
    lane.add(w, blockMs);
  }
}

/** one shared read, on a connection of its own, over the streams of up to LANE_STREAMS waits */
class Lane {
  /** the waits, by stream */
  private readonly waits = new Map<string, Set<Wait>>();
  private conn: RedisConnection | undefined;
  /** the lane's connection's client id, for CLIENT UNBLOCK; unknown after a reconnect */
  private clientId: number | undefined;
  /** what the XREAD in flight reads: each stream and the id it reads after */
  private inflight: Map<string, bigint> | undefined;
  private round = 0;
  private looping = false;
  /** a wait came that the read in flight does not cover */
  private wakeWanted = false;
  private unblocking = false;
  private closed = false;

  constructor(
    /** the command connection: CLIENT UNBLOCK goes on it */
    private readonly redis: RedisConnection,
    private readonly count: number,
    private readonly blockMs: number,
    /** a stream no one waits on any more */
    private readonly gone: (key: string) => void,
  ) {}

  get streams(): number {
    return this.waits.size;
  }

  add(w: Wait, blockMs: number): void {
    w.lane = this;
    w.timer = setTimeout(() => this.settle(w, []), Math.max(0, blockMs));
    let set = this.waits.get(w.key);
    if (!set) this.waits.set(w.key, (set = new Set()));
    set.add(w);
    if (!this.looping) void this.loop();
    else if (!this.covers(w)) this.wake();
  }

  settle(w: Wait, entries: StreamEntry[] | Error): void {
    const set = this.waits.get(w.key);
    if (!set?.delete(w)) return;
    if (set.size === 0) {
      this.waits.delete(w.key);
      this.gone(w.key);
    }
    clearTimeout(w.timer);
    if (entries instanceof Error) w.reject(entries);
    else w.resolve(entries);
  }

  close(): void {
    this.closed = true;
    for (const set of [...this.waits.values()]) for (const w of [...set]) this.settle(w, []);
    this.conn?.disconnect();
  }

  /** the read in flight returns what this wait wants: its stream, from its id or earlier */
  private covers(w: Wait): boolean {
    const from = this.inflight?.get(w.key);
    return from !== undefined && from <= w.after;
  }

  private connection(): RedisConnection {
    if (this.conn) return this.conn;
    const conn = blockingConnection(this.redis);
    conn.on('close', () => (this.clientId = undefined));
    return (this.conn = conn);
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      while (this.waits.size > 0 && !this.closed) {
        const plan = new Map<string, bigint>();
        for (const [key, set] of this.waits) {
          for (const w of set) if (!plan.has(key) || w.after < plan.get(key)!) plan.set(key, w.after);
        }
        const conn = this.connection();
        this.wakeWanted = false;
        this.inflight = plan;
        this.round++;
        // commands on one connection are answered in order: the id comes before the read blocks
        const id = this.clientId === undefined ? conn.client('ID') : undefined;
        const ids = [...plan.values()].map((v) => `${v >> 64n}-${v & 0xffffffffffffffffn}`);
        const reply = conn.xreadBuffer('COUNT', this.count, 'BLOCK', this.blockMs, 'STREAMS', ...plan.keys(), ...ids);
        if (id) {
          this.clientId = Number(await id.catch(() => undefined)) || undefined;
          if (this.wakeWanted) this.wake();
        }
        let got: XReadReply;
        try {
          got = await reply;
        } catch (err) {
          this.inflight = undefined;
          if (this.closed) return;
          // the waits this read served fail as their own read would have; later ones try again
          for (const [key, from] of plan) {
            for (const w of [...(this.waits.get(key) ?? [])]) if (from <= w.after) this.settle(w, err as Error);
          }
          continue;
        }
        this.inflight = undefined;
        this.deliver(got, plan);
      }
    } finally {
      this.looping = false;
      this.inflight = undefined;
    }
  }

  /**
   * Gives each wait the read covered what it wants. A wait the read did not cover (it came
   * while the read was in flight, after an earlier id) stays for the next round, which
   * comes at once: the entries this read returned may start past ones it has not seen.
   */
  private deliver(got: XReadReply, plan: Map<string, bigint>): void {
    for (const [rawKey, raw] of got ?? []) {
      const key = rawKey.toString();
      const set = this.waits.get(key);
      const from = plan.get(key);
      if (!set || from === undefined) continue;
      const entries = raw.map(([id, fields]) => {
        const text = id.toString();
        return { value: idValue(text), entry: [text, fields] as StreamEntry };
      });
      for (const w of [...set]) {
        if (from > w.after) continue;
        const mine = entries.filter((e) => e.value > w.after).map((e) => e.entry);
        if (mine.length > 0) this.settle(w, mine);
      }
    }
  }

  /**
   * Ends the read in flight so that the next one covers every wait. An UNBLOCK may reach
   * the server before the read it is meant for (two connections): it answers 0 then, and
   * is sent again while that read is still the one in flight.
   */
  private wake(): void {
    this.wakeWanted = true;
    if (this.unblocking || this.clientId === undefined || !this.inflight) return;
    this.unblocking = true;
    const round = this.round;
    const id = String(this.clientId);
    void (async () => {
      try {
        while (!this.closed && this.inflight && this.round === round) {
          const n = await Promise.resolve(this.redis.client('UNBLOCK', id)).catch(() => -1);
          if (n === 1 || n === -1) return;
          await new Promise((r) => setTimeout(r, 2));
        }
      } finally {
        this.unblocking = false;
      }
    })();
  }
}

/** a reader with a blocking connection of its own, made at its first read */
class OwnReader implements StreamReader {
  private conn: RedisConnection | undefined;
  private closed = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly count: number,
  ) {}

  async read(key: string, after: string, blockMs: number): Promise<StreamEntry[]> {
    idValue(after);
    if (this.closed) return [];
    this.conn ??= blockingConnection(this.redis);
    try {
      const got = await this.conn.xreadBuffer('COUNT', this.count, 'BLOCK', blockMs, 'STREAMS', key, after);
      return (got?.[0]?.[1] ?? []).map(([id, fields]) => [id.toString(), fields]);
    } catch (err) {
      if (this.closed) return [];
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    this.conn?.disconnect();
  }
}
