/**
 * What went wrong serving a call, as the API answers it. The engine's refusals of what a
 * client asked (a path that is not a file or goes through a link, a full workspace, a bad
 * argument) are the client's 4xx naming the path or field; a failure of the sandbox itself
 * is INTERNAL, with its message.
 */
import type { CallError } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';
import { FileError, LimitError, SandboxError, SessionEndedError, SpecError } from '@codebox/sandbox';
import type { FileErrorCode } from '@codebox/sandbox';

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

/** the engine's file errors (FileError), by their code */
const FILE_CODES: Record<FileErrorCode, CallError['code']> = {
  NOT_FOUND: 'FILE_NOT_FOUND',
  NOT_A_FILE: 'FILE_CONFLICT',
  NOT_A_DIRECTORY: 'FILE_CONFLICT',
  IS_A_DIRECTORY: 'FILE_CONFLICT',
  LINK: 'FILE_CONFLICT',
  PERMISSION: 'FILE_CONFLICT',
  TOO_LARGE: 'FILE_TOO_LARGE',
  NO_SPACE: 'WORKSPACE_FULL',
  // what the box's tar or the init refused (a malformed archive): the client's request
  FAILED: 'INVALID_REQUEST',
};

/** the call's error for what a handler threw; path names the file a file call was about */
export function callError(err: unknown, path?: string): CallError {
  if (err instanceof CallRefused) return err.error;
  if (err instanceof ApiError)
    return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  if (err instanceof FileError)
    return { code: FILE_CODES[err.code], message: err.message, details: { path: err.path || path || '' } };
  if (err instanceof SessionEndedError) return { code: 'SESSION_NOT_FOUND', message: err.message };
  if (err instanceof SpecError) return { code: 'INVALID_REQUEST', message: err.message, details: { field: err.field } };
  if (err instanceof LimitError)
    return { code: 'INVALID_REQUEST', message: err.message, details: { field: `limits.${err.field}` } };
  if (err instanceof SandboxError) return { code: 'INTERNAL', message: err.message, details: { sandbox: err.code } };
  return { code: 'INTERNAL', message: (err as Error)?.message ?? String(err) };
}
