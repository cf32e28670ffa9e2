/**
 * Every error leaves the API in one shape, {error: {code, message, details?}}: ours
 * (ApiError), the body parser's (bad JSON 400, too large 413), and anything unexpected
 * (500, logged, its message not shown).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { redisFull } from '@codebox/jobs';
import { API_ERRORS, ApiError } from '@codebox/protocol';

/**
 * A full Redis (over its maxmemory, noeviction) has room again as finished jobs expire
 * (CODEBOX_RESULT_TTL_S) or are read away: clients are told to wait longer than for a
 * Redis that is away.
 */
const FULL_RETRY_AFTER_S = 10;

/** a message's or a detail string's length on the wire: a message quoting a user's input can be any size */
const MAX_TEXT_CHARS = 1024;
/** the body when an error cannot be serialised even cut: fixed, so it always can */
const UNSERIALISABLE = JSON.stringify({ error: { code: 'INTERNAL', message: API_ERRORS.INTERNAL.message } });

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
    let body: string;
    let status = api.status;
    try {
      body = JSON.stringify(cut(api.body(), 0));
    } catch (serialising) {
      // a detail no JSON holds (a BigInt, a cycle): never Express's own HTML page with its stack trace
      log.error({ err, serialising }, 'an error could not be serialised');
      body = UNSERIALISABLE;
      status = 500;
    }
    res.status(status).type('application/json').send(body);
  };
}

/** strings cut to MAX_TEXT_CHARS, at any depth up to a few levels (deeper: left out) */
function cut(value: unknown, depth: number): unknown {
  if (typeof value === 'string')
    return value.length > MAX_TEXT_CHARS ? `${value.slice(0, MAX_TEXT_CHARS)}… (${value.length} chars)` : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 4) return undefined;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => cut(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v, depth + 1)]));
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
