/**
 * A job's request, as the wire has it, into what the runtimes and the judge take: file
 * contents decoded, the network named, artifactBytes apart from the box limits, the
 * checker and interactor given their runtimes. Nothing here runs anything.
 */
import { CHECKER_PROTOCOLS, INTERACTOR_PROTOCOLS, POINT_SCALES } from '@codebox/judge';
import type { Checker, Interactor, JudgeGroup, JudgeRequest } from '@codebox/judge';
import { GroupError, resolveGroups } from '@codebox/protocol';
import type { CheckerInput, FileInput, GroupInput, JobRequest, ProgramCheckerInput } from '@codebox/protocol';
import type { ProgramRequest, Runtime, SourceFile } from '@codebox/runtimes';
import { SpecError } from '@codebox/sandbox';

/** where the runtimes of this worker are: undefined for a language it does not have */
export type FindRuntime = (language: string) => Runtime | undefined;

export function sourceFiles(files: readonly FileInput[]): SourceFile[] {
  return files.map((f, i) => ({
    name: f.name ?? (i === 0 ? 'main' : `file${i}`),
    content: f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : f.content,
  }));
}

/** the program's request; rootfs: the root the worker's runtimes were found in */
export function programRequest(request: JobRequest, rootfs: string | undefined): ProgramRequest {
  // artifactBytes is the compile step's hand-over, not a box limit
  const { artifactBytes, ...compileLimits } = request.compileLimits ?? {};
  return {
    files: sourceFiles(request.files),
    ...(request.keepNames ? { keepNames: true } : {}),
    ...(request.stdin === undefined
      ? {}
      : { stdin: request.stdinEncoding === 'base64' ? Buffer.from(request.stdin, 'base64') : request.stdin }),
    ...(request.args ? { args: request.args } : {}),
    ...(request.compileArgs ? { compileArgs: request.compileArgs } : {}),
    ...(request.stderrToStdout ? { mergeStderr: true } : {}),
    ...(request.limits ? { limits: request.limits } : {}),
    ...(request.compileLimits ? { compileLimits } : {}),
    ...(artifactBytes === undefined ? {} : { artifactBytes }),
    network: request.network ? 'loopback' : 'none',
    ...(rootfs === undefined ? {} : { rootfs }),
    ...(request.outputs ? { outputs: request.outputs } : {}),
  };
}

/**
 * Judge mode's request: the same program, less stdin (each test brings its own), its
 * tests, groups, checker and interactor. keepOutputBytes: what the judge keeps of each
 * test's output once it is checked.
 */
export function judgeRequest(
  request: JobRequest,
  rootfs: string | undefined,
  find: FindRuntime,
  keepOutputBytes: number,
): JudgeRequest {
  const { stdin: _stdin, outputs: _outputs, ...program } = programRequest(request, rootfs);
  const { checker, interactor } = request;
  const tests = request.tests ?? [];
  return {
    ...program,
    tests,
    ...(request.groups ? { groups: groupsOf(tests, request.groups) } : {}),
    ...(checker === undefined
      ? {}
      : {
          checker: checkerOf(
            typeof checker === 'object' && checker.type === 'program' ? decoded(checker) : checker,
            find,
          ),
        }),
    ...(interactor ? { interactor: interactorOf(decoded(interactor), find) } : {}),
    ...(request.stopOnFirstFailure ? { stopOnFirstFailure: true } : {}),
    keepOutputBytes,
  };
}

/** a checker's or interactor's program, its files decoded (from a job's request, or a stored problem's) */
export interface ProgramSpec {
  readonly language: string;
  readonly files: readonly SourceFile[];
  readonly protocol?: string;
  readonly args?: readonly string[];
  readonly points?: string;
}

function decoded<P extends { files: FileInput[] }>(p: P): Omit<P, 'files'> & { files: SourceFile[] } {
  return { ...p, files: sourceFiles(p.files) };
}

/** groups naming their tests by name or index, as indices (checked: a SpecError names the field) */
export function groupsOf(
  tests: readonly { name?: string; points?: number }[],
  groups: readonly GroupInput[],
): JudgeGroup[] {
  try {
    return resolveGroups(tests, groups);
  } catch (err) {
    if (err instanceof GroupError) throw new SpecError(err.field, err.message.slice(err.field.length + 2));
    throw err;
  }
}

export function interactorOf(i: ProgramSpec, find: FindRuntime): Interactor {
  const runtime = find(i.language);
  if (!runtime) throw new SpecError('interactor.language', `this worker has no ${i.language}`);
  return {
    runtime,
    files: i.files,
    ...(i.protocol ? { protocol: oneOf(i.protocol, INTERACTOR_PROTOCOLS, 'interactor.protocol') } : {}),
    ...(i.args ? { args: i.args } : {}),
    ...(i.points ? { points: oneOf(i.points, POINT_SCALES, 'interactor.points') } : {}),
  };
}

export function checkerOf(
  c: Exclude<CheckerInput, ProgramCheckerInput> | ({ readonly type: 'program' } & ProgramSpec),
  find: FindRuntime,
): Checker {
  if (typeof c === 'string') return { type: c };
  if (c.type === 'tokens') return { type: 'tokens', ...(c.ignoreCase ? { ignoreCase: true } : {}) };
  if (c.type === 'float')
    return {
      type: 'float',
      ...(c.absolute === undefined ? {} : { absolute: c.absolute }),
      ...(c.relative === undefined ? {} : { relative: c.relative }),
      ...(c.ignoreCase ? { ignoreCase: true } : {}),
    };
  const runtime = find(c.language);
  if (!runtime) throw new SpecError('checker.language', `this worker has no ${c.language}`);
  return {
    type: 'program',
    runtime,
    files: c.files,
    ...(c.protocol ? { protocol: oneOf(c.protocol, CHECKER_PROTOCOLS, 'checker.protocol') } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(c.points ? { points: oneOf(c.points, POINT_SCALES, 'checker.points') } : {}),
  };
}

function oneOf<T extends string>(value: string, set: readonly T[], field: string): T {
  if (!(set as readonly string[]).includes(value)) throw new SpecError(field, `must be one of ${set.join(', ')}`);
  return value as T;
}
