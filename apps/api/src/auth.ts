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

/** the owner an Authorization header names, or undefined when it names none of the keys */
export function ownerFrom(keys: readonly string[]): (authorization: string | undefined) => string | undefined {
  const owners = new Set(keys.map(ownerOf));
  return (authorization) => {
    if (owners.size === 0) return ANONYMOUS;
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const owner = m?.[1] ? ownerOf(m[1]) : undefined;
    return owner && owners.has(owner) ? owner : undefined;
  };
}

export function authenticate(keys: readonly string[]) {
  const find = ownerFrom(keys);
  return (req: Request, res: Response, next: NextFunction): void => {
    const owner = find(req.get('authorization'));
    if (!owner) {
      res.set('WWW-Authenticate', 'Bearer');
      return next(new ApiError('UNAUTHORIZED'));
    }
    res.locals.owner = owner;
    next();
  };
}
