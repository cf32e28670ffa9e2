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
  FILE_PATH_INVALID: {
    status: 400,
    message:
      'a workspace path is relative, of plain names (no empty, "." or ".." part, no NUL), each at most 255 bytes',
  },
  NOT_FOUND: { status: 404, message: 'no such job' },
  ROUTE_NOT_FOUND: { status: 404, message: 'no such route' },
  SESSION_NOT_FOUND: { status: 404, message: 'no such session' },
  PROCESS_NOT_FOUND: { status: 404, message: 'no such process in this session' },
  CONTEXT_NOT_FOUND: { status: 404, message: 'no such code context in this session' },
  FILE_NOT_FOUND: { status: 404, message: 'no such file in the workspace' },
  JOB_FINISHED: { status: 409, message: 'the job has already finished' },
  FILE_CONFLICT: {
    status: 409,
    message:
      'the path is not what the call needs: a directory, a link or a special file where a file is needed, or a file where a directory is',
  },
  CONTEXT_ENDED: {
    status: 409,
    message: "the context's interpreter has ended (a cell crashed it): restart or delete the context",
  },
  SESSION_LOST: { status: 410, message: "the session's worker is gone, and the session with it" },
  BODY_TOO_LARGE: { status: 413, message: 'the body is over the size limit' },
  PROBLEM_TOO_LARGE: { status: 413, message: "the problem is over the server's size limit" },
  PROBLEM_QUOTA: { status: 413, message: "the key's stored problems are over the server's quota for a key" },
  FILE_TOO_LARGE: { status: 413, message: 'the file is over the size a call may move' },
  WORKSPACE_FULL: { status: 413, message: "the workspace has no room for it (the session's limits.workDirBytes)" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'the body must be application/json' },
  RATE_LIMITED: { status: 429, message: 'too many requests for this key' },
  SESSION_LIMIT: { status: 429, message: 'this key has as many sessions open as it may' },
  SESSION_BUSY: {
    status: 429,
    message: 'this session has as many background processes, terminals or code contexts as it may: end one',
  },
  INTERNAL: { status: 500, message: 'internal error' },
  QUEUE_FULL: { status: 503, message: 'the queue is full' },
  UNAVAILABLE: { status: 503, message: 'the service is not ready' },
  SESSIONS_FULL: { status: 503, message: 'every worker has as many sessions as it may; retry later' },
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
