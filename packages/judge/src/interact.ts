/**
 * One test of an interactive problem: the solution and the interactor run at once, each
 * in its own box, each one's stdout the other's stdin (go-judge's pipe mapping); when
 * either ends, the other's input ends. By the interactor's protocol:
 *
 *   codebox   argv input.txt expected.txt; exit 0 accepts, 1 or 2 rejects; stderr the message
 *   testlib   argv input.txt out/output.txt expected.txt (registerInteraction: what it
 *             writes to tout lands in out/output.txt); exit codes as a testlib checker's;
 *             when it accepts and the problem has a checker, the checker judges that file
 *   kattis    argv input.txt expected.txt feedback/ [args…] (an interactive output
 *             validator); 42 accepts, 43 rejects; judgemessage.txt the message
 *
 * The solution's limits decide first (a solution that waits for an answer that never
 * comes is its wall time), then the interactor's word, then the solution's own end.
 */
import { PassThrough } from 'node:stream';
import { DEFAULT_PROGRAM_POLICY, runCompiled } from '@codebox/runtimes';
import type { Compiled, ProgramPolicy } from '@codebox/runtimes';
import type { RunResult, Sandbox } from '@codebox/sandbox';
import { placeAll } from './data.js';
import type { TestData } from './data.js';
import { codeboxWord, kattisWord, testlibWord } from './outcomes.js';
import type { CheckerWord, InteractorProtocol } from './outcomes.js';
import { FEEDBACK, feedbackOf } from './programs.js';

/** what is read back of a testlib interactor's output file */
const TOUT_BYTES = 64 << 20;
/**
 * What an interactor may say to the solution: a run's default output (1 MiB) is less than
 * many interactions need (2·10^5 queries), and its words go to the solution, not the verdict
 */
const INTERACTOR_OUTPUT_BYTES = 16 << 20;
/** the interactor outlives the solution by this much: it reads the solution's last words */
const INTERACTOR_WALL_SLACK_MS = 2_000;

export interface Interaction {
  readonly protocol: InteractorProtocol;
  readonly args: readonly string[];
  readonly input: TestData | undefined;
  readonly expected: TestData;
  /** the solution's run request, less its stdin (the interactor's stdout) */
  readonly solution: Omit<Parameters<typeof runCompiled>[2], 'stdin'>;
}

export interface Interacted {
  readonly run: RunResult;
  /** the interactor's word */
  readonly word: CheckerWord;
  /** a testlib interactor's output file, when it accepted: what a checker judges */
  readonly tout?: Buffer;
}

export async function interact(
  sandbox: Sandbox,
  solution: Compiled,
  interactor: Compiled,
  i: Interaction,
  rootfs: { rootfs?: string },
  policy: ProgramPolicy | undefined,
  signal: AbortSignal | undefined,
): Promise<Interacted> {
  const toSolution = new PassThrough();
  const toInteractor = new PassThrough();
  const abort = signal ? { signal } : {};
  const solutionRun = runCompiled(sandbox, solution, { ...i.solution, stdin: toSolution }, policy, {
    onOutput: (_step, stream, chunk) => void (stream === 'stdout' && toInteractor.write(chunk)),
    ...abort,
  }).finally(() => toInteractor.end());
  const data = placeAll([
    [i.input, 'input.txt'],
    [i.expected, 'expected.txt'],
  ]);
  const own = {
    codebox: { args: ['input.txt', 'expected.txt'] },
    testlib: {
      args: ['input.txt', 'out/output.txt', 'expected.txt'],
      mkdir: 'out',
      collect: { patterns: ['out/output.txt'], maxBytes: TOUT_BYTES },
    },
    kattis: { args: ['input.txt', 'expected.txt', 'feedback/'], mkdir: 'feedback', collect: FEEDBACK },
  }[i.protocol];
  // within what the worker allows a run: its maxima may be lower than these
  const { defaults, maxima } = (policy ?? DEFAULT_PROGRAM_POLICY).run;
  const limits = {
    wallMs: Math.min(
      maxima.wallMs,
      Math.max(defaults.wallMs, (i.solution.limits?.wallMs ?? defaults.wallMs) + INTERACTOR_WALL_SLACK_MS),
    ),
    outputBytes: Math.min(maxima.outputBytes, Math.max(defaults.outputBytes, INTERACTOR_OUTPUT_BYTES)),
  };
  const interactorRun = runCompiled(
    sandbox,
    { ...interactor, files: [...interactor.files, ...data.files] },
    { ...own, args: [...own.args, ...i.args], stdin: toInteractor, binds: data.binds, limits, ...rootfs },
    policy,
    { onOutput: (_step, stream, chunk) => void (stream === 'stdout' && toSolution.write(chunk)), ...abort },
  ).finally(() => toSolution.end());
  const [run, judged] = await Promise.all([solutionRun, interactorRun]);
  const said = judged.stderr.toString();
  switch (i.protocol) {
    case 'codebox':
      return { run, word: codeboxWord(judged, said) };
    case 'testlib': {
      const tout = judged.files?.find((f) => f.path === 'out/output.txt')?.content ?? Buffer.alloc(0);
      return { run, word: testlibWord(judged, said), tout };
    }
    case 'kattis':
      // its stdout went to the solution: only stderr is a message
      return { run, word: kattisWord(judged, feedbackOf(judged), said) };
  }
}
