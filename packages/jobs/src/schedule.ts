/**
 * Work due at a time that must outlive the process that scheduled it: a sorted set of
 * members scored by when each is next due (ms since the epoch). Any number of processes
 * take what is due with lease(), atomically, so each member goes to one taker at a time;
 * a taker that dies leaves its lease to run out, and the member is due again: delivery is
 * at least once.
 */
import { defineScript } from './connection.js';
import type { RedisConnection, ScriptFn } from './connection.js';
import { LEASE_DUE } from './scripts.js';

export class Schedule {
  private readonly leaseDue: ScriptFn;

  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
  ) {
    this.leaseDue = defineScript(redis, 'codeboxLeaseDue', LEASE_DUE, 1);
  }

  /** due at atMs; again, if it is there already */
  async at(member: string, atMs: number): Promise<void> {
    await this.redis.zadd(this.key, atMs, member);
  }

  /** up to limit members due by nowMs, each leased for leaseMs (due again after, unless done or moved) */
  async lease(nowMs: number, leaseMs: number, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    return (await this.leaseDue(this.key, nowMs, nowMs + leaseMs, limit)) as string[];
  }

  async done(member: string): Promise<void> {
    await this.redis.zrem(this.key, member);
  }

  /** how many members wait, due or not */
  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}
