/**
 * API keys: each key is an owner, known by a hash of the key (the key itself is never
 * stored). Without keys every request is the one anonymous owner.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '@codebox/protocol';

export const ANONYMOUS = 'anonymous';

export function ownerOf(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 24);
}

export function authenticate(keys: readonly string[]) {
  const owners = new Set(keys.map(ownerOf));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (owners.size === 0) {
      res.locals.owner = ANONYMOUS;
      return next();
    }
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const owner = m?.[1] ? ownerOf(m[1]) : undefined;
    if (!owner || !owners.has(owner)) {
      res.set('WWW-Authenticate', 'Bearer');
      return next(new ApiError('UNAUTHORIZED'));
    }
    res.locals.owner = owner;
    next();
  };
}
