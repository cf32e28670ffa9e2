/**
 * A job's request, as the wire has it, into what the runtimes and the judge take: file
 * contents decoded, the network named, artifactBytes apart from the box limits, the
 * checker and interactor given their runtimes. Nothing here runs anything.
 */
import type { Checker, Interactor, JudgeRequest } from '@codebox/judge';
import type { CheckerInput, FileInput, JobRequest } from '@codebox/protocol';
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
    ...(request.stdin === undefined ? {} : { stdin: request.stdin }),
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
 * tests, checker and interactor. keepOutputBytes: what the judge keeps of each test's
 * output once it is checked.
 */
export function judgeRequest(
  request: JobRequest,
  rootfs: string | undefined,
  find: FindRuntime,
  keepOutputBytes: number,
): JudgeRequest {
  const { stdin: _stdin, outputs: _outputs, ...program } = programRequest(request, rootfs);
  return {
    ...program,
    tests: request.tests ?? [],
    ...(request.checker === undefined ? {} : { checker: checker(request.checker, find) }),
    ...(request.interactor ? { interactor: interactor(request.interactor, find) } : {}),
    ...(request.stopOnFirstFailure ? { stopOnFirstFailure: true } : {}),
    keepOutputBytes,
  };
}

function interactor(i: NonNullable<JobRequest['interactor']>, find: FindRuntime): Interactor {
  const runtime = find(i.language);
  if (!runtime) throw new SpecError('interactor.language', `this worker has no ${i.language}`);
  return { runtime, files: sourceFiles(i.files) };
}

function checker(c: CheckerInput, find: FindRuntime): Checker {
  if (typeof c === 'string') return { type: c };
  if (c.type === 'float')
    return {
      type: 'float',
      ...(c.absolute === undefined ? {} : { absolute: c.absolute }),
      ...(c.relative === undefined ? {} : { relative: c.relative }),
    };
  const runtime = find(c.language);
  if (!runtime) throw new SpecError('checker.language', `this worker has no ${c.language}`);
  return { type: 'program', runtime, files: sourceFiles(c.files) };
}
