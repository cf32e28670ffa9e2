/**
 * What went wrong serving a call, as the API answers it. The engine's refusals of what a
 * client asked (a path that is not a file, a full workspace, a bad argument) are the
 * client's 4xx; a failure of the sandbox itself is INTERNAL, with its message.
 */
import type { CallError } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';
import { LimitError, SandboxError, SpecError } from '@codebox/sandbox';

/** an error a handler throws on purpose: its code and message go to the client as they are */
export class CallRefused extends Error {
  constructor(readonly error: CallError) {
    super(error.message);
    this.name = 'CallRefused';
  }
}

export function refuse(code: CallError['code'], message: string, details?: Record<string, unknown>): CallRefused {
  return new CallRefused({ code, message, ...(details ? { details } : {}) });
}

/** the engine's file errors (FileError NOT_FOUND, NOT_A_FILE, TOO_LARGE) and the kernel's codes behind them */
const FILE_CODES: Record<string, CallError['code']> = {
  NOT_FOUND: 'FILE_NOT_FOUND',
  ENOENT: 'FILE_NOT_FOUND',
  NOT_A_FILE: 'FILE_CONFLICT',
  NOT_A_DIRECTORY: 'FILE_CONFLICT',
  IS_A_DIRECTORY: 'FILE_CONFLICT',
  EXISTS: 'FILE_CONFLICT',
  ENOTDIR: 'FILE_CONFLICT',
  EISDIR: 'FILE_CONFLICT',
  EEXIST: 'FILE_CONFLICT',
  ELOOP: 'FILE_CONFLICT',
  ENOTEMPTY: 'FILE_CONFLICT',
  TOO_LARGE: 'FILE_TOO_LARGE',
  EFBIG: 'FILE_TOO_LARGE',
  NO_SPACE: 'WORKSPACE_FULL',
  ENOSPC: 'WORKSPACE_FULL',
  EDQUOT: 'WORKSPACE_FULL',
};

/** the call's error for what a handler threw; path names the file a file call was about */
export function callError(err: unknown, path?: string): CallError {
  if (err instanceof CallRefused) return err.error;
  if (err instanceof ApiError)
    return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  const e = err as { name?: string; code?: unknown; message?: string } | undefined;
  const fileCode = typeof e?.code === 'string' ? FILE_CODES[e.code] : undefined;
  if (fileCode && (e?.name === 'FileError' || e?.code?.toString().startsWith('E')))
    return {
      code: fileCode,
      message: `${path ?? 'the path'}: ${e?.message ?? fileCode}`,
      details: { ...(path ? { path } : {}) },
    };
  if (err instanceof SpecError) return { code: 'INVALID_REQUEST', message: err.message, details: { field: err.field } };
  if (err instanceof LimitError)
    return { code: 'INVALID_REQUEST', message: err.message, details: { field: `limits.${err.field}` } };
  if (err instanceof SandboxError) return { code: 'INTERNAL', message: err.message, details: { sandbox: err.code } };
  return { code: 'INTERNAL', message: (err as Error)?.message ?? String(err) };
}
