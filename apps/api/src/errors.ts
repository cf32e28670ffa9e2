/**
 * Every error leaves the API in one shape, {error: {code, message, details?}}: ours
 * (ApiError), the body parser's (bad JSON 400, too large 413), and anything unexpected
 * (500, logged, its message not shown).
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '@codebox/protocol';

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { type?: string; status?: number; limit?: number };
  if (e.type === 'entity.too.large') return new ApiError('BODY_TOO_LARGE', `the body is over ${e.limit} bytes`, { limit: e.limit });
  if (e.type === 'entity.parse.failed') return new ApiError('BAD_JSON', `the body is not valid JSON: ${(err as Error).message}`, { field: 'body' });
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new ApiError('UNSUPPORTED_MEDIA_TYPE', (err as Error).message);
  return new ApiError('INTERNAL');
}

export function errorHandler(log: (line: string) => void) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const api = toApiError(err);
    if (api.code === 'INTERNAL') log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
    if (api.retryAfterS !== undefined) res.set('Retry-After', String(api.retryAfterS));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(api.status).json(api.body());
  };
}
