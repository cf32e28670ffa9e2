/**
 * Judge0's answers other than a submission's 422 {attr: [messages]}: a status and
 * {error}, in Judge0's words where it has them, one list for the routes and the error
 * handler. The service tests pin these strings: clients match on them.
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '@codebox/protocol';
import { MAX_BATCH } from './wire/index.js';

export type Judge0Error = readonly [status: number, error: string];

export const JUDGE0_ERRORS = {
  invalidFields: (invalid: readonly string[]): Judge0Error => [400, `invalid fields: [${invalid.join(', ')}]`],
  emptyBatch: [400, 'there should be at least one submission in a batch'],
  batchTooLarge: [400, `number of submissions in a batch should be less than or equal to ${MAX_BATCH}`],
  queueFull: [503, 'queue is full'],
  notFound: [404, 'submission not found'],
  noLanguage: (id: string): Judge0Error => [404, `language with id ${id} doesn't exist`],
  /** also the wait=true answer's `error`, with 201 and the token */
  notUtf8: [
    400,
    'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter',
  ],
  notUtf8Batch: [
    400,
    'some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter',
  ],
  badJson: [400, 'the body is not valid JSON'],
  tooLarge: [413, 'the body is too large'],
} as const satisfies Record<string, Judge0Error | ((...args: never[]) => Judge0Error)>;

export function refuse(res: Response, [status, error]: Judge0Error): void {
  res.status(status).json({ error });
}

/**
 * Errors under the prefix in Judge0's shapes: no key is a bare 401; ours and the body
 * parser's as {error}; the rest go on to the API's handler.
 */
export function judge0Errors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (err instanceof ApiError) {
    if (err.code === 'UNAUTHORIZED') return void res.status(401).end();
    if (err.retryAfterS !== undefined) res.set('Retry-After', String(err.retryAfterS));
    return void res
      .status(err.status)
      .json({ error: err.code === 'QUEUE_FULL' ? JUDGE0_ERRORS.queueFull[1] : err.message });
  }
  const e = err as { type?: string };
  if (e.type === 'entity.parse.failed') return refuse(res, JUDGE0_ERRORS.badJson);
  if (e.type === 'entity.too.large') return refuse(res, JUDGE0_ERRORS.tooLarge);
  next(err);
}
