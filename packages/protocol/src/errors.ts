/**
 * Every error the API answers with: a stable code, its HTTP status, and the one JSON shape
 * on the wire, `{error: {code, message, details?}}` (fastify's lib/errors.js is the model).
 */

export const API_ERRORS = {
  BAD_JSON: { status: 400, message: 'the body is not valid JSON' },
  INVALID_REQUEST: { status: 400, message: 'the request is not valid' },
  UNKNOWN_LANGUAGE: { status: 400, message: 'unknown language' },
  UNKNOWN_VERSION: { status: 400, message: 'no such version of the language' },
  LIMIT_TOO_HIGH: { status: 400, message: 'a limit is over the server maximum' },
  UNAUTHORIZED: { status: 401, message: 'a valid API key is needed: Authorization: Bearer <key>' },
  NOT_FOUND: { status: 404, message: 'no such job' },
  ROUTE_NOT_FOUND: { status: 404, message: 'no such route' },
  JOB_FINISHED: { status: 409, message: 'the job has already finished' },
  BODY_TOO_LARGE: { status: 413, message: 'the body is over the size limit' },
  PROBLEM_TOO_LARGE: { status: 413, message: "the problem is over the server's size limit" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'the body must be application/json' },
  RATE_LIMITED: { status: 429, message: 'too many requests for this key' },
  INTERNAL: { status: 500, message: 'internal error' },
  QUEUE_FULL: { status: 503, message: 'the queue is full' },
  UNAVAILABLE: { status: 503, message: 'the service is not ready' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: Record<string, unknown> };
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** seconds, for 429 and 503: the Retry-After header */
  readonly retryAfterS: number | undefined;
  constructor(code: ApiErrorCode, message?: string, details?: Record<string, unknown>, retryAfterS?: number) {
    super(message ?? API_ERRORS[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code].status;
    this.details = details;
    this.retryAfterS = retryAfterS;
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}
