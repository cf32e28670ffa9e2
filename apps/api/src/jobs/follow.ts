/**
 * Following a job's events on a Redis connection of its own, for as long as the client
 * is there and the bound allows: shared by SSE, the waits (?wait=true, Piston's execute,
 * Judge0's wait=true), DELETE and Piston's socket. Each follower holds a slot of the
 * StreamLimiter; a client that goes, or the bound, disconnects the connection, which ends
 * a blocked read at once.
 */
import type http from 'node:http';
import { blockingConnection } from '@codebox/jobs';
import type { JobStore, RedisConnection, StoredEvent } from '@codebox/jobs';
import type { StreamLimiter } from '../streams.js';

export interface Follower {
  /** events after `after`, waiting up to blockMs; [] when there are none or it has ended */
  read(after: string, blockMs: number): Promise<StoredEvent[]>;
  /** events already there, without waiting */
  readNow(after: string): Promise<StoredEvent[]>;
  readonly ended: boolean;
  end(): void;
}

/** a signal that fires when the client goes before the response is done */
export function clientGone(res: http.ServerResponse): AbortSignal {
  const ac = new AbortController();
  if (res.destroyed || res.socket?.destroyed) ac.abort();
  res.on('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}

export function follow(
  d: { redis: RedisConnection; store: JobStore; limiter: StreamLimiter },
  id: string,
  owner: string,
  signal: AbortSignal,
  boundMs?: number,
): Follower {
  const release = d.limiter.acquire(owner);
  const conn = blockingConnection(d.redis);
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', end);
    conn.disconnect();
    release();
  };
  const timer = boundMs === undefined ? undefined : setTimeout(end, boundMs);
  signal.addEventListener('abort', end);
  if (signal.aborted) end();
  const expand = (events: StoredEvent[]) => Promise.all(events.map((e) => d.store.withResult(e)));
  return {
    get ended() {
      return ended;
    },
    end,
    read: async (after, blockMs) => {
      if (ended) return [];
      try {
        return await expand(await d.store.readEvents(id, after, blockMs, conn));
      } catch (err) {
        if (ended) return [];
        throw err;
      }
    },
    readNow: async (after) => (ended ? [] : expand(await d.store.readEvents(id, after))),
  };
}
