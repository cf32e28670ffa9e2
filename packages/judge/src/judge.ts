/**
 * Judge mode: a program and its tests. The program is compiled once; each test runs in a
 * fresh box with the job's limits and its own stdin; its output is checked by a built-in
 * checker or by a checker program (testlib's or Kattis's protocol, compiled once), or, in
 * an interactive problem, judged by an interactor running beside it.
 *
 * A verdict per test, and one for the whole: COMPILE_ERROR when the compile failed, else
 * the first test's verdict that is not ACCEPTED, else ACCEPTED. With groups (subtasks,
 * scoring.ts) each group's score and the total; a group stops when the rest of its tests
 * are moot, and a group whose dependencies did not pass is skipped. Tests are reported
 * one by one as they finish (onTest). stopOnFirstFailure leaves every test after the
 * first failure unrun (skipped). keepOutputBytes bounds what a judge holds: each test's
 * output is cut to it once checked.
 */
import { Readable } from 'node:stream';
import { compileProgram, prepare, runCompiled } from '@codebox/runtimes';
import type { Compiled, ProgramPolicy, ProgramRequest, Runtime, SourceFile } from '@codebox/runtimes';
import type { JudgeVerdict, TestVerdict } from '@codebox/protocol';
import { SpecError } from '@codebox/sandbox';
import type { RunResult, Sandbox, Status } from '@codebox/sandbox';
import { check } from './checkers.js';
import type { BuiltinChecker } from './checkers.js';
import { stdinOf, textOf } from './data.js';
import type { TestData } from './data.js';
import { interact } from './interact.js';
import type { CheckerProtocol, CheckerWord, InteractorProtocol } from './outcomes.js';
import { compileOwn, runChecker } from './programs.js';
import type { CompileCache } from './programs.js';
import { fractionOf, moot, planGroups, round, scoreGroup } from './scoring.js';
import type { JudgeGroup, PlannedGroup, PointScale, Scoring, TestOutcome } from './scoring.js';

// the verdicts are the wire's: one list, the judge's and its clients'
export { TEST_VERDICTS } from '@codebox/protocol';
export type { JudgeVerdict, TestVerdict } from '@codebox/protocol';

export interface JudgeTest {
  readonly name?: string;
  readonly stdin?: TestData;
  readonly expectedOutput: TestData;
  /** what the test is worth in its group (points per test); with groups only */
  readonly points?: number;
}

/** a checker program: by its protocol (outcomes.ts), testlib's by default */
export interface ProgramChecker {
  readonly type: 'program';
  readonly runtime: Runtime;
  readonly files: readonly SourceFile[];
  readonly protocol?: CheckerProtocol;
  /** after the protocol's own arguments (Kattis's validator_flags) */
  readonly args?: readonly string[];
  /** how its points (testlib's quitp, Kattis's score.txt) are read; default fraction */
  readonly points?: PointScale;
}

export type Checker = BuiltinChecker | ProgramChecker;

/**
 * An interactive problem's interactor: run beside the solution in a box of its own
 * (interact.ts), by its protocol, codebox's by default.
 */
export interface Interactor {
  readonly runtime: Runtime;
  readonly files: readonly SourceFile[];
  readonly protocol?: InteractorProtocol;
  readonly args?: readonly string[];
  /** how its points are read (a testlib interactor's quitp, a Kattis validator's score.txt) */
  readonly points?: PointScale;
}

/** a program's request, less its stdin (each test has its own), plus its tests */
export interface JudgeRequest extends Omit<ProgramRequest, 'stdin'> {
  readonly tests: readonly JudgeTest[];
  /** default: trailing-whitespace */
  readonly checker?: Checker;
  /**
   * an interactive problem: the interactor decides each test; with the testlib protocol a
   * checker program may judge what the interactor wrote
   */
  readonly interactor?: Interactor;
  /** subtasks with points: every test in exactly one (scoring.ts) */
  readonly groups?: readonly JudgeGroup[];
  readonly stopOnFirstFailure?: boolean;
  /**
   * Of each test's stdout and stderr, keep at most this many bytes once it is checked (the
   * checker sees all of it), cut between UTF-8 characters, flagged truncated; so what a
   * judge holds grows by at most this much per test and stream, however much each printed.
   * Default: all of it (up to the limits' outputBytes).
   */
  readonly keepOutputBytes?: number;
  /** where compiled checkers and interactors are kept between judges (a worker's, per problem version) */
  readonly compileCache?: CompileCache;
}

export interface TestResult {
  readonly index: number;
  readonly name?: string;
  readonly verdict: TestVerdict;
  /** the program's run in this test */
  readonly run: RunResult;
  /** the checker's word: where output and expected differ, or the checker program's message */
  readonly checker?: string;
  /** with groups: the test's group */
  readonly group?: string;
  /** the part of the test's worth it earned, 0..1: with groups, or when a checker gave points */
  readonly score?: number;
  /** with groups: the points it earned */
  readonly points?: number;
}

export interface GroupResult {
  readonly id: string;
  readonly scoring: Scoring;
  /** the most it could score */
  readonly points: number;
  readonly score: number;
  /** every test ACCEPTED: what a group that depends on it needs */
  readonly passed: boolean;
  readonly total: number;
  readonly judged: number;
  /** left unrun: moot, after stopOnFirstFailure, or a dependency that did not pass */
  readonly skipped: number;
  /** the first of its verdicts that is not ACCEPTED, else ACCEPTED; absent when none ran */
  readonly verdict?: TestVerdict;
  /** the group it depends on that did not pass (its tests then never ran) */
  readonly blockedBy?: string;
}

export interface JudgeResult {
  readonly verdict: JudgeVerdict;
  readonly passed: number;
  readonly total: number;
  /** tests not run: after the first failure with stopOnFirstFailure, moot in their group, blocked */
  readonly skipped: number;
  readonly compile?: RunResult;
  readonly tests: TestResult[];
  /** with groups: the total, the most it could be, and each group's */
  readonly score?: number;
  readonly maxScore?: number;
  readonly groups?: GroupResult[];
}

export interface JudgeHooks {
  /** the compile step ended (a runtime that compiles), before any test runs */
  readonly onCompile?: (result: RunResult) => void;
  readonly onTest?: (test: TestResult) => void;
  readonly onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  readonly signal?: AbortSignal;
}

const FROM_STATUS: Readonly<Record<Exclude<Status, 'OK'>, TestVerdict>> = {
  RUNTIME_ERROR: 'RUNTIME_ERROR',
  TIME_LIMIT: 'TIME_LIMIT',
  WALL_TIME_LIMIT: 'WALL_TIME_LIMIT',
  MEMORY_LIMIT: 'MEMORY_LIMIT',
  OUTPUT_LIMIT: 'OUTPUT_LIMIT',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
};
const LIMITS: ReadonlySet<Status> = new Set(['TIME_LIMIT', 'WALL_TIME_LIMIT', 'MEMORY_LIMIT', 'OUTPUT_LIMIT']);

/** what one judge holds while it runs */
interface Context {
  readonly sandbox: Sandbox;
  readonly request: JudgeRequest;
  readonly policy: ProgramPolicy | undefined;
  readonly hooks: JudgeHooks;
  readonly rootfs: { rootfs?: string };
  readonly solution: Compiled;
  readonly checker: Checker;
  readonly checkerProgram: Compiled | undefined;
  readonly interactor: Compiled | undefined;
}

/** a test judged: its verdict, its fraction of its worth, and the checker's word */
interface Judged {
  readonly verdict: TestVerdict;
  readonly fraction: number;
  readonly run: RunResult;
  readonly message?: string;
  /** a checker said how many points */
  readonly gavePoints?: boolean;
}

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
  if (request.interactor && request.checker && (request.interactor.protocol ?? 'codebox') !== 'testlib')
    throw new SpecError('checker', 'only a testlib interactor leaves output for a checker to judge');
  if (request.interactor && request.checker && request.checker.type !== 'program')
    throw new SpecError('checker', "a testlib interactor's output is judged by a checker program");
  const plan = request.groups ? planGroups(request.tests, request.groups) : [whole(request.tests)];
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
      ...(request.groups ? notScored(plan) : {}),
    };
  const own = (program: ProgramChecker | Interactor, role: 'checker' | 'interactor') =>
    compileOwn(sandbox, program, role, rootfs, policy, hooks.signal, request.compileCache);
  const ctx: Context = {
    sandbox,
    request,
    policy,
    hooks,
    rootfs,
    solution: compiled,
    checker,
    checkerProgram: checker.type === 'program' ? await own(checker, 'checker') : undefined,
    interactor: request.interactor ? await own(request.interactor, 'interactor') : undefined,
  };
  const { tests, groups } = await runGroups(ctx, plan);
  const failed = tests.find((t) => t.verdict !== 'ACCEPTED');
  return {
    verdict: failed?.verdict ?? 'ACCEPTED',
    passed: tests.filter((t) => t.verdict === 'ACCEPTED').length,
    total,
    skipped: total - tests.length,
    ...(compiled.result ? { compile: compiled.result } : {}),
    tests,
    ...(request.groups
      ? {
          score: round(groups.reduce((n, g) => n + g.score, 0)),
          maxScore: round(groups.reduce((n, g) => n + g.points, 0)),
          groups,
        }
      : {}),
  };
}

/** without groups, one of all the tests, each worth 1, that nothing makes moot */
function whole(tests: readonly JudgeTest[]): PlannedGroup {
  return { id: '', points: 0, scoring: 'sum', dependsOn: [], tests: tests.map((_, index) => ({ index, worth: 1 })) };
}

/** every group at 0, nothing judged (the compile failed) */
function notScored(plan: readonly PlannedGroup[]): Pick<JudgeResult, 'score' | 'maxScore' | 'groups'> {
  const groups = plan.map((g): GroupResult => ({
    id: g.id,
    scoring: g.scoring,
    points: g.points,
    score: 0,
    passed: false,
    total: g.tests.length,
    judged: 0,
    skipped: g.tests.length,
  }));
  return { score: 0, maxScore: round(plan.reduce((n, g) => n + g.points, 0)), groups };
}

/** the groups in order, each test as it finishes to onTest */
async function runGroups(
  ctx: Context,
  plan: readonly PlannedGroup[],
): Promise<{ tests: TestResult[]; groups: GroupResult[] }> {
  const { request, hooks } = ctx;
  const grouped = request.groups !== undefined;
  const tests: TestResult[] = [];
  const groups: GroupResult[] = [];
  const outcomes = new Map<number, TestOutcome>();
  const passed = new Set<string>();
  let stopped = false;
  for (const group of plan) {
    const blockedBy = group.dependsOn.find((d) => !passed.has(d));
    const mine: TestResult[] = [];
    for (const { index, worth } of blockedBy === undefined ? group.tests : []) {
      if (stopped || hooks.signal?.aborted) break;
      const test = request.tests[index] as JudgeTest;
      const judged = await judgeTest(ctx, test, worth);
      const result: TestResult = {
        index,
        ...(test.name === undefined ? {} : { name: test.name }),
        verdict: judged.verdict,
        run: keepOutput(judged.run, request.keepOutputBytes),
        ...(judged.message === undefined ? {} : { checker: judged.message }),
        ...(grouped
          ? { group: group.id, score: judged.fraction, points: round(worth * judged.fraction) }
          : judged.gavePoints
            ? { score: judged.fraction }
            : {}),
      };
      tests.push(result);
      mine.push(result);
      hooks.onTest?.(result);
      outcomes.set(index, judged);
      if (request.stopOnFirstFailure && judged.verdict !== 'ACCEPTED') stopped = true;
      if (moot(group.scoring, judged)) break;
    }
    const { score, passed: ok } = scoreGroup(group, outcomes);
    if (ok) passed.add(group.id);
    const first = mine.find((t) => t.verdict !== 'ACCEPTED')?.verdict ?? (mine.length > 0 ? 'ACCEPTED' : undefined);
    groups.push({
      id: group.id,
      scoring: group.scoring,
      points: group.points,
      score,
      passed: ok,
      total: group.tests.length,
      judged: mine.length,
      skipped: group.tests.length - mine.length,
      ...(first === undefined ? {} : { verdict: first }),
      ...(blockedBy === undefined ? {} : { blockedBy }),
    });
  }
  return { tests, groups };
}

async function judgeTest(ctx: Context, test: JudgeTest, worth: number): Promise<Judged> {
  if (ctx.interactor) return judgeInteractive(ctx, ctx.interactor, test, worth);
  const { request, hooks } = ctx;
  const stdin = test.stdin === undefined ? undefined : stdinOf(test.stdin);
  const run = await runCompiled(
    ctx.sandbox,
    ctx.solution,
    {
      ...(stdin === undefined ? {} : { stdin }),
      ...solutionRequest(request),
      ...(request.mergeStderr ? { mergeStderr: true } : {}),
    },
    ctx.policy,
    {
      ...(hooks.onOutput ? { onOutput: (_step, stream, chunk) => hooks.onOutput?.(stream, chunk) } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    },
  ).finally(() => {
    // a program that stopped reading leaves the file's stream paused: its descriptor goes now
    if (stdin instanceof Readable) stdin.destroy();
  });
  if (run.status !== 'OK') return { verdict: FROM_STATUS[run.status], fraction: 0, run };
  if (ctx.checker.type !== 'program' || !ctx.checkerProgram) {
    const outcome = check(ctx.checker as BuiltinChecker, run.stdout.toString('utf8'), textOf(test.expectedOutput));
    return {
      verdict: outcome.accepted ? 'ACCEPTED' : 'WRONG_ANSWER',
      fraction: outcome.accepted ? 1 : 0,
      run,
      message: outcome.message,
    };
  }
  const word = await runChecker(
    ctx.sandbox,
    ctx.checkerProgram,
    {
      protocol: ctx.checker.protocol ?? 'testlib',
      args: ctx.checker.args ?? [],
      input: test.stdin,
      output: run.stdout,
      expected: test.expectedOutput,
    },
    ctx.rootfs,
    ctx.policy,
    hooks.signal,
  );
  return { ...verdictOf(word, ctx.checker.points ?? 'fraction', worth), run };
}

/** what the solution's box gets in every test: its args, limits, network and root */
function solutionRequest(request: JudgeRequest) {
  return {
    args: request.args ?? [],
    ...(request.limits ? { limits: request.limits } : {}),
    network: request.network ?? 'none',
    ...(request.rootfs === undefined ? {} : { rootfs: request.rootfs }),
  };
}

async function judgeInteractive(ctx: Context, interactor: Compiled, test: JudgeTest, worth: number): Promise<Judged> {
  const spec = ctx.request.interactor as Interactor;
  const protocol = spec.protocol ?? 'codebox';
  const { run, word, tout } = await interact(
    ctx.sandbox,
    ctx.solution,
    interactor,
    {
      protocol,
      args: spec.args ?? [],
      input: test.stdin,
      expected: test.expectedOutput,
      solution: solutionRequest(ctx.request),
    },
    ctx.rootfs,
    ctx.policy,
    ctx.hooks.signal,
  );
  if (LIMITS.has(run.status)) return { verdict: FROM_STATUS[run.status as keyof typeof FROM_STATUS], fraction: 0, run };
  const checked =
    word.kind === 'accept' && ctx.checkerProgram && ctx.checker.type === 'program' && tout
      ? {
          word: await runChecker(
            ctx.sandbox,
            ctx.checkerProgram,
            {
              protocol: ctx.checker.protocol ?? 'testlib',
              args: ctx.checker.args ?? [],
              input: test.stdin,
              output: tout,
              expected: test.expectedOutput,
            },
            ctx.rootfs,
            ctx.policy,
            ctx.hooks.signal,
          ),
          scale: ctx.checker.points ?? 'fraction',
          who: 'checker',
        }
      : { word, scale: spec.points ?? 'fraction', who: 'interactor' };
  const judged = verdictOf(checked.word, checked.scale, worth, checked.who);
  // an interactor that accepted a solution which then crashed: the crash is the verdict
  if (judged.verdict !== 'WRONG_ANSWER' && judged.verdict !== 'INTERNAL_ERROR' && run.status !== 'OK')
    return {
      verdict: FROM_STATUS[run.status],
      fraction: 0,
      run,
      ...(judged.message ? { message: judged.message } : {}),
    };
  return { ...judged, run };
}

/** a checker's word as the test's verdict and the part of its worth it earned */
function verdictOf(word: CheckerWord, scale: PointScale, worth: number, who = 'checker'): Omit<Judged, 'run'> {
  const message = word.message;
  switch (word.kind) {
    case 'fail':
      return { verdict: 'INTERNAL_ERROR', fraction: 0, message: `the ${who} failed: ${message}` };
    case 'reject':
      return { verdict: 'WRONG_ANSWER', fraction: 0, message };
    case 'accept':
      return 'points' in word
        ? { verdict: 'ACCEPTED', fraction: fractionOf(word.points, scale, worth), message, gavePoints: true }
        : { verdict: 'ACCEPTED', fraction: 1, message };
    case 'points': {
      const fraction = fractionOf(word.points, scale, worth);
      const verdict: TestVerdict = fraction >= 1 ? 'ACCEPTED' : fraction > 0 ? 'PARTIAL' : 'WRONG_ANSWER';
      return { verdict, fraction, message, gavePoints: true };
    }
  }
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
