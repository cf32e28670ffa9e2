/**
 * Per-key rate of job creation: a fixed one-minute window counted in Redis, so every API
 * process behind a balancer shares it. Over it: 429 with the seconds to the next window.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Keys } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';

const WINDOW_MS = 60_000;

export function rateLimit(redis: Redis, keys: Keys, perMinute: number) {
  return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (perMinute === 0) return next();
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = keys.rate(String(res.locals.owner), window);
    const [[, count]] = (await redis.multi().incr(key).pexpire(key, WINDOW_MS).exec()) as [[Error | null, number]];
    if (count > perMinute) {
      const retryAfterS = Math.ceil(((window + 1) * WINDOW_MS - now) / 1000);
      return next(new ApiError('RATE_LIMITED', `over ${perMinute} jobs a minute for this key`, { limit: perMinute }, retryAfterS));
    }
    next();
  };
}
