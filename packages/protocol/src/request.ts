/**
 * A job request from the wire, checked: first its shape against JOB_REQUEST_SCHEMA (ajv),
 * then what only the server knows — the languages its workers offer, its limit maxima.
 * Every failure is an ApiError naming the field (`files[1].encoding`, `limits.cpuMs`) and,
 * where there is one, the allowed set or the maximum.
 */
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { entryName, fileNameProblem } from './files.js';
import { ApiError } from './errors.js';
import { COMPILE_REQUEST_LIMITS, REQUEST_LIMITS } from './job.js';
import type { CompileRequestLimits, JobRequest, RuntimeInfo } from './job.js';
import { JOB_REQUEST_SCHEMA } from './schemas.js';

const ajv = new Ajv({ allErrors: false, strict: true });
const validateShape = ajv.compile<JobRequest>(JOB_REQUEST_SCHEMA);

export type LimitMaxima = Readonly<Record<(typeof REQUEST_LIMITS)[number], number>>;
/** a worker that predates artifactBytes publishes no maximum for it: then the worker's own check applies */
export type CompileLimitMaxima = LimitMaxima & { readonly artifactBytes?: number };

export interface RequestContext {
  readonly runtimes: readonly RuntimeInfo[];
  readonly maxima: { readonly run: LimitMaxima; readonly compile: CompileLimitMaxima };
}

/** the request, checked, with the runtime it names */
export interface CheckedRequest {
  readonly request: JobRequest;
  readonly runtime: RuntimeInfo;
}

export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function checkJobRequest(body: unknown, ctx: RequestContext): CheckedRequest {
  if (!validateShape(body)) throw shapeError(validateShape.errors?.[0]);
  const request = body;
  const runtime = findRuntime(ctx.runtimes, request.language);
  if (!runtime) {
    throw new ApiError('UNKNOWN_LANGUAGE', `unknown language "${request.language}"`, {
      field: 'language',
      known: [...new Set(ctx.runtimes.map((r) => r.id))].sort(),
    });
  }
  if (request.version !== undefined && !versionMatches(request.version, runtime.version)) {
    throw new ApiError(
      'UNKNOWN_VERSION',
      `${runtime.id} ${request.version} is not available (this server has ${runtime.version})`,
      {
        field: 'version',
        available: [runtime.version],
      },
    );
  }
  // the entry is placed under the runtime's name (main.py), or its own with keepNames: no
  // other file may take it
  const given = request.files[0]?.name;
  const entry = request.keepNames && given ? given : entryName(runtime, given ?? runtime.sourceFile);
  const names = new Set<string>([entry]);
  request.files.forEach((f, i) => {
    if (i > 0 || f.name !== undefined) checkName(f.name, `files[${i}].name`, i === 0);
    if (i > 0 && f.name !== undefined) {
      if (names.has(f.name))
        throw invalid(`files[${i}].name`, `${f.name} is there twice (the entry is placed as ${entry})`);
      names.add(f.name);
    }
    if (f.encoding === 'base64' && !BASE64.test(f.content)) throw invalid(`files[${i}].content`, 'is not valid base64');
  });
  request.args?.forEach((a, i) => {
    if (a.includes('\0')) throw invalid(`args[${i}]`, 'must not contain NUL');
  });
  request.compileArgs?.forEach((a, i) => {
    if (a.includes('\0')) throw invalid(`compileArgs[${i}]`, 'must not contain NUL');
  });
  if (request.compileArgs?.length && !runtime.compiled)
    throw invalid('compileArgs', `${runtime.id} has no compile step`);
  if (request.tests && request.stdin !== undefined)
    throw invalid('stdin', 'in judge mode each test has its own stdin (tests[i].stdin)');
  if (
    !request.tests &&
    (request.checker !== undefined || request.stopOnFirstFailure !== undefined || request.interactor !== undefined)
  ) {
    throw invalid(
      request.checker !== undefined
        ? 'checker'
        : request.interactor !== undefined
          ? 'interactor'
          : 'stopOnFirstFailure',
      'is for judge mode, with tests',
    );
  }
  if (request.tests && request.outputs !== undefined)
    throw invalid('outputs', 'is for a plain run: judge mode brings back no files');
  request.outputs?.forEach((g, i) => {
    if (g.startsWith('/') || g.split('/').includes('..') || g.includes('\0'))
      throw invalid(`outputs[${i}]`, 'must be a glob relative to the work dir, without ..');
  });
  if (request.interactor && request.checker !== undefined)
    throw invalid('checker', 'an interactive problem is judged by its interactor, not a checker');
  if (request.interactor && !findRuntime(ctx.runtimes, request.interactor.language)) {
    throw new ApiError('UNKNOWN_LANGUAGE', `unknown interactor language "${request.interactor.language}"`, {
      field: 'interactor.language',
      known: [...new Set(ctx.runtimes.map((r) => r.id))].sort(),
    });
  }
  const checker = request.checker;
  if (typeof checker === 'object' && checker.type === 'program') {
    const crt = findRuntime(ctx.runtimes, checker.language);
    if (!crt)
      throw new ApiError('UNKNOWN_LANGUAGE', `unknown checker language "${checker.language}"`, {
        field: 'checker.language',
        known: [...new Set(ctx.runtimes.map((r) => r.id))].sort(),
      });
    checker.files.forEach((f, i) => {
      if (i > 0 || f.name !== undefined) checkName(f.name, `checker.files[${i}].name`, i === 0);
      if (f.encoding === 'base64' && !BASE64.test(f.content))
        throw invalid(`checker.files[${i}].content`, 'is not valid base64');
    });
  }
  checkLimits(request.limits, ctx.maxima.run, 'limits', REQUEST_LIMITS);
  checkLimits(request.compileLimits, ctx.maxima.compile, 'compileLimits', COMPILE_REQUEST_LIMITS);
  return { request, runtime };
}

/** by id or alias, case-insensitively */
export function findRuntime(runtimes: readonly RuntimeInfo[], name: string): RuntimeInfo | undefined {
  const n = name.toLowerCase();
  return runtimes.find((r) => r.id === n || r.aliases.includes(n));
}

/** `*`, the exact version, or a prefix ending at a dot: 3 and 3.11 match 3.11.2, 3.1 does not */
export function versionMatches(asked: string, have: string): boolean {
  return asked === '*' || asked === have || have.startsWith(`${asked}.`);
}

function checkName(name: string | undefined, field: string, entry: boolean): void {
  if (name === undefined) {
    if (!entry) throw invalid(field, 'is required for every file but the first');
    return;
  }
  if (name.startsWith('/') || name.includes('\0') || name.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw invalid(field, `must be a relative path without empty, "." or ".." parts: ${JSON.stringify(name)}`);
  }
  const problem = fileNameProblem(name);
  if (problem) throw invalid(field, problem);
}

function checkLimits(
  limits: CompileRequestLimits | undefined,
  maxima: CompileLimitMaxima,
  field: string,
  names: readonly (keyof CompileRequestLimits)[],
): void {
  for (const name of names) {
    const value = limits?.[name];
    const maximum = maxima[name];
    if (value !== undefined && maximum !== undefined && value > maximum) {
      throw new ApiError('LIMIT_TOO_HIGH', `${field}.${name}: ${value} is over the maximum ${maximum}`, {
        field: `${field}.${name}`,
        maximum,
      });
    }
  }
}

export function invalid(field: string, message: string): ApiError {
  return new ApiError('INVALID_REQUEST', `${field}: ${message}`, { field });
}

/** `/files/0/encoding` → `files[0].encoding`, with the property a `required` error names */
export function fieldPath(e: ErrorObject): string {
  const parts = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra =
    (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ??
    (e.params as { additionalProperty?: string }).additionalProperty;
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || 'body';
}

/** an ajv error as a 400 naming the field */
export function shapeError(e: ErrorObject | undefined): ApiError {
  if (!e) return new ApiError('INVALID_REQUEST');
  const field = fieldPath(e);
  const what =
    e.keyword === 'additionalProperties'
      ? 'is not a known field'
      : e.keyword === 'required'
        ? 'is required'
        : e.keyword === 'enum'
          ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
          : (e.message ?? 'is not valid');
  return invalid(field, what);
}
