/**
 * Per-key rate of job creation: a fixed one-minute window counted in Redis, so every API
 * process behind a balancer shares it. Over it: 429 with the seconds to the next window.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Keys, RedisConnection } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';

const WINDOW_MS = 60_000;

/** counts `jobs` new jobs for the owner; throws RATE_LIMITED past the rate */
export function rateChecker(redis: RedisConnection, keys: Keys, perMinute: number) {
  return async (owner: string, jobs = 1): Promise<void> => {
    if (perMinute === 0) return;
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = keys.rate(owner, window);
    const [[, count]] = (await redis.multi().incrby(key, jobs).pexpire(key, WINDOW_MS).exec()) as [
      [Error | null, number],
    ];
    if (count > perMinute) {
      const retryAfterS = Math.ceil(((window + 1) * WINDOW_MS - now) / 1000);
      throw new ApiError(
        'RATE_LIMITED',
        `over ${perMinute} jobs a minute for this key`,
        { limit: perMinute },
        retryAfterS,
      );
    }
  };
}

/** the same, as middleware for routes that create one job */
export function rateLimit(check: ReturnType<typeof rateChecker>) {
  return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await check(String(res.locals.owner));
      next();
    } catch (err) {
      next(err);
    }
  };
}
