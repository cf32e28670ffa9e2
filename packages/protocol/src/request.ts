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
import { GroupError, resolveGroups } from './groups.js';
import { COMPILE_REQUEST_LIMITS, REQUEST_LIMITS } from './job.js';
import type { CompileRequestLimits, FileInput, JobRequest, RuntimeInfo } from './job.js';
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
  checkNesting([entry, ...request.files.slice(1).map((f) => f.name ?? '')], (i) => `files[${i}].name`);
  if (request.stdinEncoding === 'base64' && request.stdin !== undefined && !BASE64.test(request.stdin))
    throw invalid('stdin', 'is not valid base64 (stdinEncoding is base64)');
  request.args?.forEach((a, i) => {
    if (a.includes('\0')) throw invalid(`args[${i}]`, 'must not contain NUL');
  });
  request.compileArgs?.forEach((a, i) => {
    if (a.includes('\0')) throw invalid(`compileArgs[${i}]`, 'must not contain NUL');
  });
  if (request.compileArgs?.length && !runtime.compiled)
    throw invalid('compileArgs', `${runtime.id} has no compile step`);
  checkJudgeMode(request, ctx.runtimes);
  request.outputs?.forEach((g, i) => {
    if (g.startsWith('/') || g.split('/').includes('..') || g.includes('\0'))
      throw invalid(`outputs[${i}]`, 'must be a glob relative to the work dir, without ..');
  });
  checkLimits(request.limits, ctx.maxima.run, 'limits', REQUEST_LIMITS);
  checkLimits(request.compileLimits, ctx.maxima.compile, 'compileLimits', COMPILE_REQUEST_LIMITS);
  return { request, runtime };
}

/**
 * Judge mode: tests, or a stored problem (whose tests, groups, checker and interactor
 * come with it), never both; what only judge mode takes only with one of them; a checker
 * beside an interactor only after a testlib interactor, to judge what it wrote.
 */
function checkJudgeMode(request: JobRequest, runtimes: readonly RuntimeInfo[]): void {
  const judged = request.tests !== undefined || request.problem !== undefined;
  if (judged && request.stdin !== undefined)
    throw invalid('stdin', 'in judge mode each test has its own stdin (tests[i].stdin)');
  if (judged && request.outputs !== undefined)
    throw invalid('outputs', 'is for a plain run: judge mode brings back no files');
  if (request.problem !== undefined) {
    for (const field of ['tests', 'groups', 'checker', 'interactor'] as const)
      if (request[field] !== undefined) throw invalid(field, `comes with the problem (${request.problem})`);
  }
  if (!judged) {
    const extra = (['checker', 'interactor', 'groups', 'stopOnFirstFailure'] as const).find(
      (f) => request[f] !== undefined,
    );
    if (extra) throw invalid(extra, 'is for judge mode, with tests or a problem');
  }
  checkPrograms(request, runtimes);
  if (request.tests && request.groups) {
    try {
      resolveGroups(request.tests, request.groups);
    } catch (err) {
      if (err instanceof GroupError) throw invalid(err.field, err.message.slice(err.field.length + 2));
      throw err;
    }
  }
}

/** a request's (or a problem's) checker and interactor: known languages, files that can be placed */
export function checkPrograms(
  request: Pick<JobRequest, 'checker' | 'interactor'>,
  runtimes: readonly RuntimeInfo[],
): void {
  const { checker, interactor } = request;
  if (interactor && checker !== undefined) {
    if ((interactor.protocol ?? 'codebox') !== 'testlib')
      throw invalid(
        'checker',
        'an interactive problem is judged by its interactor, not a checker (but for a testlib interactor, whose output a checker program may judge)',
      );
    if (typeof checker !== 'object' || checker.type !== 'program')
      throw invalid('checker', "a testlib interactor's output is judged by a checker program");
  }
  if (interactor) checkProgram(interactor, 'interactor', runtimes);
  if (typeof checker === 'object' && checker.type === 'program') checkProgram(checker, 'checker', runtimes);
}

function checkProgram(
  program: { language: string; files: FileInput[]; args?: string[] },
  field: 'checker' | 'interactor',
  runtimes: readonly RuntimeInfo[],
): void {
  if (!findRuntime(runtimes, program.language))
    throw new ApiError('UNKNOWN_LANGUAGE', `unknown ${field} language "${program.language}"`, {
      field: `${field}.language`,
      known: [...new Set(runtimes.map((r) => r.id))].sort(),
    });
  program.files.forEach((f, i) => {
    if (i > 0 || f.name !== undefined) checkName(f.name, `${field}.files[${i}].name`, i === 0);
    if (f.encoding === 'base64' && !BASE64.test(f.content))
      throw invalid(`${field}.files[${i}].content`, 'is not valid base64');
  });
  program.args?.forEach((a, i) => {
    if (a.includes('\0')) throw invalid(`${field}.args[${i}]`, 'must not contain NUL');
  });
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

export function checkName(name: string | undefined, field: string, entry: boolean): void {
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

/**
 * No path is inside another that is a file (`a` and `a/b`): the box could not make `a`
 * both. The later of the two is named, as a duplicate is.
 */
export function checkNesting(paths: readonly string[], field: (index: number) => string): void {
  const at = new Map<string, number>();
  paths.forEach((p, i) => {
    if (!at.has(p)) at.set(p, i);
  });
  paths.forEach((p, i) => {
    const parts = p.split('/');
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join('/');
      const j = at.get(dir);
      if (j !== undefined) throw invalid(field(Math.max(i, j)), `${p} is inside ${dir}, which is a file`);
    }
  });
}

export function checkLimits(
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
