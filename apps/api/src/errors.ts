/**
 * Every error leaves the API in one shape, {error: {code, message, details?}}: ours
 * (ApiError), the body parser's (bad JSON 400, too large 413), and anything unexpected
 * (500, logged, its message not shown).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { redisFull } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';

/**
 * A full Redis (over its maxmemory, noeviction) has room again as finished jobs expire
 * (CODEBOX_RESULT_TTL_S) or are read away: clients are told to wait longer than for a
 * Redis that is away.
 */
const FULL_RETRY_AFTER_S = 10;

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { type?: string; status?: number; limit?: number };
  if (e.type === 'entity.too.large')
    return new ApiError('BODY_TOO_LARGE', `the body is over ${e.limit} bytes`, { limit: e.limit });
  if (e.type === 'entity.parse.failed')
    return new ApiError('BAD_JSON', `the body is not valid JSON: ${(err as Error).message}`, { field: 'body' });
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return new ApiError('UNSUPPORTED_MEDIA_TYPE', (err as Error).message);
  // Express's own 4xx (a malformed %-escape in the path is a URIError with status 400)
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return new ApiError('INVALID_REQUEST', 'the request is malformed', { field: 'url' });
  // Redis away: commands fail fast (connect's failFast) and the client is told to retry
  if (isRedisDown(err))
    return new ApiError('UNAVAILABLE', 'the job store is not reachable; retry shortly', undefined, 1);
  if (redisFull(err))
    return new ApiError('UNAVAILABLE', 'the job store is full; retry later', undefined, FULL_RETRY_AFTER_S);
  return new ApiError('INTERNAL');
}

export function errorHandler(log: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const api = toApiError(err);
    if (api.code === 'INTERNAL') log.error({ err }, 'internal error');
    if (api.retryAfterS !== undefined) res.set('Retry-After', String(api.retryAfterS));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(api.status).json(api.body());
  };
}

function isRedisDown(err: unknown): boolean {
  const m = (err as Error)?.message ?? '';
  // the second line: a Redis Cluster's client says it in words of its own
  return (
    /Stream isn't writeable|Connection is closed|MaxRetriesPerRequest|ECONNREFUSED|ENOENT|ECONNRESET|EPIPE/.test(m) ||
    /Cluster isn't ready|None of startup nodes is available|CLUSTERDOWN/.test(m) ||
    (err as Error)?.name === 'MaxRetriesPerRequestError'
  );
}
