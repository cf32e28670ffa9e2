/**
 * Following a job's events for as long as the client is there and the bound allows:
 * shared by SSE, the waits (?wait=true, Piston's execute, Judge0's wait=true), DELETE and
 * Piston's socket. Each follower holds a slot of the StreamLimiter and reads through the
 * API process's StreamHub (one Redis connection for every follower); a client that goes,
 * or the bound, closes its reader, which ends a waiting read at once.
 */
import type http from 'node:http';
import { eventsOf } from '@codebox/jobs';
import type { JobStore, StoredEvent, StreamHub } from '@codebox/jobs';
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
  d: { streams: StreamHub; store: JobStore; limiter: StreamLimiter },
  id: string,
  owner: string,
  signal: AbortSignal,
  boundMs?: number,
): Follower {
  const release = d.limiter.acquire(owner);
  const reader = d.streams.reader();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', end);
    reader.close();
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
        return await expand(eventsOf(await reader.read(d.store.eventsKey(id), after, blockMs)));
      } catch (err) {
        if (ended) return [];
        throw err;
      }
    },
    readNow: async (after) => (ended ? [] : expand(await d.store.readEvents(id, after))),
  };
}
