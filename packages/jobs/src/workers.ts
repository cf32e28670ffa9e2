/**
 * Workers announce themselves: a record with a TTL (what they offer) and a score in a
 * sorted set (when they were last seen). The API is ready while some worker was seen
 * within `freshMs`, and offers the union of their runtimes.
 */
import type { RedisConnection } from './connection.js';
import type { RuntimeInfo, SessionPolicy } from '@codebox/protocol';
import type { Keys } from './keys.js';

export interface WorkerRecord {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly slots: number;
  readonly busy: number;
  readonly rootfs: string;
  readonly runtimes: RuntimeInfo[];
  /** the limits it enforces: defaults and maxima, run and compile */
  readonly limits: {
    readonly run: { readonly defaults: object; readonly maxima: object };
    readonly compile: { readonly defaults: object; readonly maxima: object };
    /** what a job's outputs may bring back (a worker that predates them says nothing) */
    readonly outputs?: { readonly maxFiles: number; readonly maxBytes: number };
  };
  readonly startedAt: string;
  /** sessions: how many it holds at most, how many now (opening included), what it allows one; absent: none */
  readonly sessions?: { readonly capacity: number; readonly open: number; readonly policy: SessionPolicy };
}

export async function announce(redis: RedisConnection, keys: Keys, record: WorkerRecord, ttlMs: number): Promise<void> {
  await redis
    .multi()
    .set(keys.worker(record.id), JSON.stringify(record), 'PX', ttlMs)
    .zadd(keys.workers(), Date.now(), record.id)
    .exec();
}

export async function retire(redis: RedisConnection, keys: Keys, id: string): Promise<void> {
  await redis.multi().del(keys.worker(id)).zrem(keys.workers(), id).exec();
}

/** workers seen within freshMs, newest first; forgets the ones long gone */
export async function liveWorkers(redis: RedisConnection, keys: Keys, freshMs: number): Promise<WorkerRecord[]> {
  const now = Date.now();
  await redis.zremrangebyscore(keys.workers(), '-inf', now - 10 * freshMs);
  const ids = await redis.zrevrangebyscore(keys.workers(), '+inf', now - freshMs);
  if (ids.length === 0) return [];
  const raw = await redis.mget(...ids.map((id) => keys.worker(id)));
  return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as WorkerRecord);
}

/** every runtime some live worker offers, by id (the first worker's version wins) */
export function unionRuntimes(workers: readonly WorkerRecord[]): RuntimeInfo[] {
  const byId = new Map<string, RuntimeInfo>();
  for (const w of workers) for (const rt of w.runtimes) if (!byId.has(rt.id)) byId.set(rt.id, rt);
  return [...byId.values()];
}
