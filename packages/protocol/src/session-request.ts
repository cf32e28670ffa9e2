/**
 * The sessions' requests from the wire, checked as request.ts checks a job's: the shape
 * against its schema (ajv), then what only the server knows — its languages and the
 * workers' SessionPolicy. Every failure is an ApiError naming the field and, where there is
 * one, the maximum. Workspace paths (in URLs and in bodies) are checked here too: a path
 * is relative, of plain names; the engine, which does the file work inside the box, never
 * follows a link either.
 */
import { Ajv } from 'ajv';
import { ApiError } from './errors.js';
import type { RuntimeInfo } from './job.js';
import { BASE64, checkNesting, findRuntime, invalid, shapeError } from './request.js';
import { COMMAND_REQUEST_SCHEMA, SESSION_REQUEST_SCHEMA } from './session-schemas.js';
import { SESSION_LIMITS } from './session.js';
import type { CommandRequest, SessionLimits, SessionPolicy, SessionRequest } from './session.js';

const ajv = new Ajv({ allErrors: false, strict: true });
const validateSession = ajv.compile<SessionRequest>(SESSION_REQUEST_SCHEMA);
const validateCommand = ajv.compile<CommandRequest>(COMMAND_REQUEST_SCHEMA);

/** a workspace path: its bytes in all, and each name's (Linux's NAME_MAX) */
export const MAX_WORKSPACE_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;

/** a session request with every default applied: what its record and its worker get */
export interface ResolvedSession {
  readonly request: SessionRequest;
  readonly runtime: RuntimeInfo | undefined;
  readonly limits: SessionLimits;
  readonly idleTimeoutS: number;
  readonly ttlS: number;
}

export function checkSessionRequest(
  body: unknown,
  ctx: { readonly runtimes: readonly RuntimeInfo[]; readonly policy: SessionPolicy },
): ResolvedSession {
  if (!validateSession(body)) throw shapeError(validateSession.errors?.[0]);
  const request = body;
  const runtime = request.language === undefined ? undefined : findRuntime(ctx.runtimes, request.language);
  if (request.language !== undefined && !runtime)
    throw new ApiError('UNKNOWN_LANGUAGE', `unknown language "${request.language}"`, {
      field: 'language',
      known: [...new Set(ctx.runtimes.map((r) => r.id))].sort(),
    });
  const seen = new Set<string>();
  request.files?.forEach((f, i) => {
    const field = `files[${i}].name`;
    if (f.name === undefined) throw invalid(field, 'is required: a session file has no entry to be named after');
    checkWorkspacePath(f.name, field);
    if (seen.has(f.name)) throw invalid(field, `${f.name} is there twice`);
    seen.add(f.name);
    if (f.encoding === 'base64' && !BASE64.test(f.content)) throw invalid(`files[${i}].content`, 'is not valid base64');
  });
  checkNesting(
    (request.files ?? []).map((f) => f.name ?? ''),
    (i) => `files[${i}].name`,
  );
  const limits = {} as Record<(typeof SESSION_LIMITS)[number], number>;
  for (const name of SESSION_LIMITS) {
    const value = request.limits?.[name];
    limits[name] = atMost(value, ctx.policy.limits.maxima[name], `limits.${name}`) ?? ctx.policy.limits.defaults[name];
  }
  const filesBytes = (request.files ?? []).reduce(
    (n, f) => n + (f.encoding === 'base64' ? Math.floor((f.content.length * 3) / 4) : utf8Bytes(f.content)),
    0,
  );
  if (filesBytes > limits.workDirBytes)
    throw new ApiError(
      'WORKSPACE_FULL',
      `files: ${filesBytes} bytes do not fit in limits.workDirBytes (${limits.workDirBytes})`,
      {
        field: 'files',
        maximum: limits.workDirBytes,
      },
    );
  const idle = atMost(request.idleTimeoutS, ctx.policy.idleTimeoutS.maximum, 'idleTimeoutS');
  const ttl = atMost(request.ttlS, ctx.policy.ttlS.maximum, 'ttlS');
  return {
    request,
    runtime,
    limits,
    idleTimeoutS: idle ?? ctx.policy.idleTimeoutS.default,
    ttlS: ttl ?? ctx.policy.ttlS.default,
  };
}

/** a command, checked: exactly one of command, argv and run; paths plain; its timeout within the maximum */
export function checkCommandRequest(body: unknown, policy: SessionPolicy): CommandRequest {
  if (!validateCommand(body)) throw shapeError(validateCommand.errors?.[0]);
  const c = body;
  const given = (['command', 'argv', 'run'] as const).filter((k) => c[k] !== undefined);
  if (given.length !== 1)
    throw invalid(given[1] ?? 'command', 'give exactly one of command (a shell line), argv or run (a file)');
  if (c.command?.includes('\0')) throw invalid('command', 'must not contain NUL');
  c.argv?.forEach((a, i) => {
    if (a.includes('\0')) throw invalid(`argv[${i}]`, 'must not contain NUL');
  });
  if (c.argv?.[0] === '') throw invalid('argv[0]', 'must not be empty');
  c.args?.forEach((a, i) => {
    if (a.includes('\0')) throw invalid(`args[${i}]`, 'must not contain NUL');
  });
  c.compileArgs?.forEach((a, i) => {
    if (a.includes('\0')) throw invalid(`compileArgs[${i}]`, 'must not contain NUL');
  });
  if (c.run === undefined)
    for (const k of ['args', 'sources', 'compileArgs'] as const)
      if (c[k] !== undefined) throw invalid(k, 'is for run (a file to compile and run)');
  if (c.run !== undefined) checkWorkspacePath(c.run, 'run');
  c.sources?.forEach((s, i) => checkWorkspacePath(s, `sources[${i}]`));
  if (c.cwd !== undefined) checkWorkspacePath(c.cwd, 'cwd');
  if (c.stdinEncoding === 'base64' && c.stdin !== undefined && !BASE64.test(c.stdin))
    throw invalid('stdin', 'is not valid base64');
  if (c.background && c.stdin !== undefined)
    throw invalid('stdin', 'a background command has no stdin (its input is closed)');
  atMost(c.timeoutMs, policy.commandTimeoutMs.maximum, 'timeoutMs');
  return c;
}

/**
 * A workspace path, as a URL or a body gives it: relative, of plain names joined by `/`,
 * none empty, `.` or `..`, no NUL, each name at most 255 bytes. `field` names it in the 400.
 */
export function checkWorkspacePath(path: string, field: string): string {
  const problem = workspacePathProblem(path);
  if (problem) throw new ApiError('FILE_PATH_INVALID', `${field}: ${problem}`, { field, path: printable(path) });
  return path;
}

/** what is wrong with a workspace path, or undefined */
export function workspacePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.includes('\0')) return 'must not contain NUL';
  if (path.startsWith('/')) return 'must be relative to the workspace, not absolute';
  if (utf8Bytes(path) > MAX_WORKSPACE_PATH_BYTES) return `is longer than ${MAX_WORKSPACE_PATH_BYTES} bytes`;
  for (const name of path.split('/')) {
    if (name === '' || name === '.' || name === '..')
      return `has an empty, "." or ".." part: ${JSON.stringify(printable(path))}`;
    if (utf8Bytes(name) > MAX_NAME_BYTES) return `has a name longer than ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
}

/** a path as an error may quote it: cut, NUL shown */
function printable(path: string): string {
  const cut = path.length > 300 ? `${path.slice(0, 300)}…` : path;
  return cut.replace(/\0/g, '\\0');
}

function atMost(value: number | undefined, maximum: number, field: string): number | undefined {
  if (value !== undefined && value > maximum)
    throw new ApiError('LIMIT_TOO_HIGH', `${field}: ${value} is over the maximum ${maximum}`, { field, maximum });
  return value;
}

/** TextEncoder, not Buffer: the client and pages load this module too */
const encoder = new TextEncoder();
function utf8Bytes(s: string): number {
  return encoder.encode(s).length;
}
