/**
 * Work due at a time that must outlive the process that scheduled it: a sorted set of
 * members scored by when each is next due (ms since the epoch). Any number of processes
 * take what is due with lease(), atomically, so each member goes to one taker at a time;
 * a taker that dies leaves its lease to run out, and the member is due again: delivery is
 * at least once.
 */
import type { RedisConnection } from './connection.js';
import { LEASE_DUE } from './scripts.js';

type LeaseFn = (key: string, nowMs: number, untilMs: number, limit: number) => Promise<string[]>;

export class Schedule {
  private readonly leaseDue: LeaseFn;

  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
  ) {
    if (!('codeboxLeaseDue' in redis)) redis.defineCommand('codeboxLeaseDue', { numberOfKeys: 1, lua: LEASE_DUE });
    this.leaseDue = (...args) => (redis as unknown as Record<string, LeaseFn>)['codeboxLeaseDue']!(...args);
  }

  /** due at atMs; again, if it is there already */
  async at(member: string, atMs: number): Promise<void> {
    await this.redis.zadd(this.key, atMs, member);
  }

  /** up to limit members due by nowMs, each leased for leaseMs (due again after, unless done or moved) */
  lease(nowMs: number, leaseMs: number, limit: number): Promise<string[]> {
    return this.leaseDue(this.key, nowMs, nowMs + leaseMs, limit);
  }

  async done(member: string): Promise<void> {
    await this.redis.zrem(this.key, member);
  }

  /** how many members wait, due or not */
  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}
