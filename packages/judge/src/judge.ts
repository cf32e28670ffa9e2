/**
 * Judge mode: a program and its tests. The program is compiled once; each test runs in a
 * fresh box with the job's limits and its own stdin; its output is checked by a built-in
 * checker or by a checker program (itself compiled once and run in a box per test, given
 * the test's input, the program's output and the expected output as files).
 *
 * A verdict per test, and one for the whole: COMPILE_ERROR when the compile failed, else
 * the first test's verdict that is not ACCEPTED, else ACCEPTED. Tests are reported one by
 * one as they finish (onTest). stopOnFirstFailure leaves the rest unrun (skipped).
 * keepOutputBytes bounds what a judge holds: each test's output is cut to it once checked.
 */
import { PassThrough } from 'node:stream';
import { compileProgram, prepare, runCompiled } from '@codebox/runtimes';
import type { Compiled, ProgramPolicy, ProgramRequest, Runtime, SourceFile } from '@codebox/runtimes';
import type { JudgeVerdict, TestVerdict } from '@codebox/protocol';
import { SpecError } from '@codebox/sandbox';
import type { RunResult, Sandbox, Status } from '@codebox/sandbox';
import { check } from './checkers.js';
import type { BuiltinChecker } from './checkers.js';

// the verdicts are the wire's: one list, the judge's and its clients'
export { TEST_VERDICTS } from '@codebox/protocol';
export type { JudgeVerdict, TestVerdict } from '@codebox/protocol';

export interface JudgeTest {
  readonly name?: string;
  readonly stdin?: string | Buffer;
  readonly expectedOutput: string;
}

/** a checker program: argv gets input.txt output.txt expected.txt; exit 0 accepts, 1 or 2 rejects */
export interface ProgramChecker {
  readonly type: 'program';
  readonly runtime: Runtime;
  readonly files: readonly SourceFile[];
}

export type Checker = BuiltinChecker | ProgramChecker;

/**
 * An interactive problem's interactor: run beside the solution in a box of its own, its
 * stdout wired to the solution's stdin and the solution's stdout to its stdin (go-judge's
 * pipe mapping). argv gets input.txt expected.txt; exit 0 accepts, 1 or 2 rejects; what it
 * writes to stderr is the test's message.
 */
export interface Interactor {
  readonly runtime: Runtime;
  readonly files: readonly SourceFile[];
}

/** a program's request, less its stdin (each test has its own), plus its tests */
export interface JudgeRequest extends Omit<ProgramRequest, 'stdin'> {
  readonly tests: readonly JudgeTest[];
  /** default: trailing-whitespace */
  readonly checker?: Checker;
  /** an interactive problem: the interactor decides each test, no checker */
  readonly interactor?: Interactor;
  readonly stopOnFirstFailure?: boolean;
  /**
   * Of each test's stdout and stderr, keep at most this many bytes once it is checked (the
   * checker sees all of it), cut between UTF-8 characters, flagged truncated; so what a
   * judge holds grows by at most this much per test and stream, however much each printed.
   * Default: all of it (up to the limits' outputBytes).
   */
  readonly keepOutputBytes?: number;
}

export interface TestResult {
  readonly index: number;
  readonly name?: string;
  readonly verdict: TestVerdict;
  /** the program's run in this test */
  readonly run: RunResult;
  /** the checker's word: where output and expected differ, or the checker program's output */
  readonly checker?: string;
}

export interface JudgeResult {
  readonly verdict: JudgeVerdict;
  readonly passed: number;
  readonly total: number;
  /** tests not run, after the first failure with stopOnFirstFailure */
  readonly skipped: number;
  readonly compile?: RunResult;
  readonly tests: TestResult[];
}

export interface JudgeHooks {
  /** the compile step ended (a runtime that compiles), before any test runs */
  readonly onCompile?: (result: RunResult) => void;
  readonly onTest?: (test: TestResult) => void;
  readonly onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  readonly signal?: AbortSignal;
}

/** files the checker program gets, named as testlib's checkers take them */
const CHECKER_FILES = ['input.txt', 'output.txt', 'expected.txt'] as const;

const FROM_STATUS: Readonly<Record<Exclude<Status, 'OK'>, TestVerdict>> = {
  RUNTIME_ERROR: 'RUNTIME_ERROR',
  TIME_LIMIT: 'TIME_LIMIT',
  WALL_TIME_LIMIT: 'WALL_TIME_LIMIT',
  MEMORY_LIMIT: 'MEMORY_LIMIT',
  OUTPUT_LIMIT: 'OUTPUT_LIMIT',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
};

export async function judge(
  sandbox: Sandbox,
  runtime: Runtime,
  request: JudgeRequest,
  policy: ProgramPolicy | undefined,
  hooks: JudgeHooks = {},
): Promise<JudgeResult> {
  // the test on an unknown: Array.isArray narrows a readonly array to any[]
  const given: unknown = request.tests;
  if (!Array.isArray(given) || request.tests.length === 0) throw new SpecError('tests', 'at least one test');
  const checker: Checker = request.checker ?? { type: 'trailing-whitespace' };
  const rootfs = request.rootfs === undefined ? {} : { rootfs: request.rootfs };
  const compiled = await compileProgram(
    sandbox,
    prepare(runtime, request.files, request.keepNames ? { keepNames: true } : {}),
    {
      ...(request.compileLimits ? { compileLimits: request.compileLimits } : {}),
      ...(request.compileArgs ? { compileArgs: request.compileArgs } : {}),
      ...rootfs,
    },
    policy,
    hooks.signal ? { signal: hooks.signal } : {},
  );
  if (compiled.result) hooks.onCompile?.(compiled.result);
  const total = request.tests.length;
  if (!compiled.ok)
    return {
      verdict: 'COMPILE_ERROR',
      passed: 0,
      total,
      skipped: total,
      ...(compiled.result ? { compile: compiled.result } : {}),
      tests: [],
    };
  const checkerProgram =
    checker.type === 'program' ? await compileChecker(sandbox, checker, rootfs, policy, hooks.signal) : undefined;
  const interactor = request.interactor
    ? await compileChecker(
        sandbox,
        { type: 'program', ...request.interactor },
        rootfs,
        policy,
        hooks.signal,
        'interactor',
      )
    : undefined;

  const tests: TestResult[] = [];
  for (const [index, test] of request.tests.entries()) {
    if (hooks.signal?.aborted) break;
    if (interactor) {
      const judged = await interact(sandbox, compiled, interactor, test, request, rootfs, policy, hooks.signal);
      const result = {
        index,
        ...(test.name === undefined ? {} : { name: test.name }),
        ...judged,
        run: keepOutput(judged.run, request.keepOutputBytes),
      };
      tests.push(result);
      hooks.onTest?.(result);
      if (request.stopOnFirstFailure && result.verdict !== 'ACCEPTED') break;
      continue;
    }
    const run = await runCompiled(
      sandbox,
      compiled,
      {
        ...(test.stdin === undefined ? {} : { stdin: test.stdin }),
        args: request.args ?? [],
        ...(request.mergeStderr ? { mergeStderr: true } : {}),
        ...(request.limits ? { limits: request.limits } : {}),
        network: request.network ?? 'none',
        ...rootfs,
      },
      policy,
      {
        ...(hooks.onOutput ? { onOutput: (_step, stream, chunk) => hooks.onOutput?.(stream, chunk) } : {}),
        ...(hooks.signal ? { signal: hooks.signal } : {}),
      },
    );
    let verdict: TestVerdict;
    let message: string | undefined;
    if (run.status !== 'OK') verdict = FROM_STATUS[run.status];
    else if (checkerProgram)
      ({ verdict, message } = await runChecker(sandbox, checkerProgram, test, run, rootfs, policy, hooks.signal));
    else {
      const outcome = check(checker as BuiltinChecker, run.stdout.toString('utf8'), test.expectedOutput);
      verdict = outcome.accepted ? 'ACCEPTED' : 'WRONG_ANSWER';
      message = outcome.message;
    }
    const result: TestResult = {
      index,
      ...(test.name === undefined ? {} : { name: test.name }),
      verdict,
      run: keepOutput(run, request.keepOutputBytes),
      ...(message === undefined ? {} : { checker: message }),
    };
    tests.push(result);
    hooks.onTest?.(result);
    if (request.stopOnFirstFailure && verdict !== 'ACCEPTED') break;
  }
  const failed = tests.find((t) => t.verdict !== 'ACCEPTED');
  return {
    verdict: failed?.verdict ?? 'ACCEPTED',
    passed: tests.filter((t) => t.verdict === 'ACCEPTED').length,
    total,
    skipped: total - tests.length,
    ...(compiled.result ? { compile: compiled.result } : {}),
    tests,
  };
}

/**
 * The run with at most max bytes of each output, copied: a view (subarray) would keep the
 * whole output's memory alive for as long as the test is held.
 */
function keepOutput(run: RunResult, max: number | undefined): RunResult {
  if (max === undefined || (run.stdout.length <= max && run.stderr.length <= max)) return run;
  const head = (b: Buffer): Buffer => (b.length <= max ? b : Buffer.from(b.subarray(0, utf8Boundary(b, max))));
  return {
    ...run,
    stdout: head(run.stdout),
    stderr: head(run.stderr),
    stdoutTruncated: run.stdoutTruncated || run.stdout.length > max,
    stderrTruncated: run.stderrTruncated || run.stderr.length > max,
  };
}

/**
 * end, or the start of the UTF-8 character end falls inside (up to 3 continuation bytes
 * back), so a head of text stays text; end itself when the bytes there are not UTF-8.
 */
export function utf8Boundary(bytes: Buffer, end: number): number {
  if (end >= bytes.length) return bytes.length;
  for (let e = end; e > 0 && e >= end - 3; e--) {
    if (((bytes[e] ?? 0) & 0xc0) !== 0x80) return e;
  }
  return end;
}

async function compileChecker(
  sandbox: Sandbox,
  checker: ProgramChecker,
  rootfs: { rootfs?: string },
  policy: ProgramPolicy | undefined,
  signal: AbortSignal | undefined,
  role: 'checker' | 'interactor' = 'checker',
): Promise<Compiled> {
  const compiled = await compileProgram(
    sandbox,
    prepare(checker.runtime, checker.files),
    { ...rootfs },
    policy,
    signal ? { signal } : {},
  );
  if (!compiled.ok) {
    const why = `${compiled.result?.stderr.toString() ?? ''}${compiled.result?.stdout.toString() ?? ''}`
      .trim()
      .split('\n')
      .slice(0, 5)
      .join('\n');
    throw new SpecError(`${role}.files`, `the ${role} did not compile (${compiled.result?.status}): ${why}`);
  }
  for (const name of CHECKER_FILES) {
    if (compiled.files.some((f) => f.path === name))
      throw new SpecError(`${role}.files`, `${name} is the ${role}'s input: no ${role} file may have that name`);
  }
  return compiled;
}

/**
 * One test of an interactive problem: the solution and the interactor run at once, each
 * in its own box, each one's stdout the other's stdin; when either ends, the other's input
 * ends. The solution's limits decide first (a solution that hangs is its wall time), then
 * the interactor's word.
 */
async function interact(
  sandbox: Sandbox,
  solution: Compiled,
  interactor: Compiled,
  test: JudgeTest,
  request: JudgeRequest,
  rootfs: { rootfs?: string },
  policy: ProgramPolicy | undefined,
  signal: AbortSignal | undefined,
): Promise<Omit<TestResult, 'index' | 'name'>> {
  const toSolution = new PassThrough();
  const toInteractor = new PassThrough();
  const abort = signal ? { signal } : {};
  const solutionRun = runCompiled(
    sandbox,
    solution,
    {
      stdin: toSolution,
      args: request.args ?? [],
      ...(request.limits ? { limits: request.limits } : {}),
      network: request.network ?? 'none',
      ...rootfs,
    },
    policy,
    { onOutput: (_step, stream, chunk) => void (stream === 'stdout' && toInteractor.write(chunk)), ...abort },
  ).finally(() => toInteractor.end());
  const files = [
    ...interactor.files,
    { path: 'input.txt', content: test.stdin ?? '' },
    { path: 'expected.txt', content: test.expectedOutput },
  ];
  const interactorRun = runCompiled(
    sandbox,
    { ...interactor, files },
    { stdin: toInteractor, args: ['input.txt', 'expected.txt'], ...rootfs },
    policy,
    {
      onOutput: (_step, stream, chunk) => void (stream === 'stdout' && toSolution.write(chunk)),
      ...abort,
    },
  ).finally(() => toSolution.end());
  const [run, judged] = await Promise.all([solutionRun, interactorRun]);
  const message = judged.stderr.toString().trim().slice(0, 4096);
  const limit = ['TIME_LIMIT', 'WALL_TIME_LIMIT', 'MEMORY_LIMIT', 'OUTPUT_LIMIT'].includes(run.status);
  let verdict: TestVerdict;
  if (limit) verdict = FROM_STATUS[run.status as keyof typeof FROM_STATUS];
  else if (judged.status === 'RUNTIME_ERROR' && (judged.exitCode === 1 || judged.exitCode === 2))
    verdict = 'WRONG_ANSWER';
  else if (judged.status !== 'OK')
    return {
      verdict: 'INTERNAL_ERROR',
      run,
      checker: `the interactor failed (${judged.status}, exit ${judged.exitCode ?? judged.signal}): ${message}`,
    };
  else verdict = run.status === 'OK' ? 'ACCEPTED' : FROM_STATUS[run.status];
  return { verdict, run, ...(message ? { checker: message } : {}) };
}

async function runChecker(
  sandbox: Sandbox,
  checker: Compiled,
  test: JudgeTest,
  run: RunResult,
  rootfs: { rootfs?: string },
  policy: ProgramPolicy | undefined,
  signal: AbortSignal | undefined,
): Promise<{ verdict: TestVerdict; message: string }> {
  const files = [
    ...checker.files,
    { path: 'input.txt', content: test.stdin ?? '' },
    { path: 'output.txt', content: run.stdout },
    { path: 'expected.txt', content: test.expectedOutput },
  ];
  const r = await runCompiled(
    sandbox,
    { ...checker, files },
    { args: [...CHECKER_FILES], ...rootfs },
    policy,
    signal ? { signal } : {},
  );
  const message = `${r.stdout.toString()}${r.stderr.toString()}`.trim().slice(0, 4096);
  if (r.status === 'OK') return { verdict: 'ACCEPTED', message };
  // testlib's exit codes: 1 wrong answer, 2 presentation error — a wrong answer here too
  if (r.status === 'RUNTIME_ERROR' && (r.exitCode === 1 || r.exitCode === 2))
    return { verdict: 'WRONG_ANSWER', message };
  return {
    verdict: 'INTERNAL_ERROR',
    message: `the checker failed (${r.status}, exit ${r.exitCode ?? r.signal}): ${message}`,
  };
}
