/**
 * A Judge0 submission as a native job (what isolate_job.rb runs): the source under the
 * runtime's name and the additional files beside it, stdin byte for byte, arguments split into
 * words as Judge0's bash splits them (shell-words.ts; never a shell), Judge0's limits in
 * native units; number_of_runs > 1 becomes judge mode with that many runs.
 */
import type { FileInput, JobRequest, RequestLimits, RuntimeInfo } from '@codebox/protocol';
import { JUDGE0_LIMITS } from './limits.js';
import { ownLanguage, projectFiles } from './own-languages.js';
import { shellWords } from './shell-words.js';
import type { Submission } from './submission.js';

const KiB = 1024;
/** a text's words; what bash would refuse was refused when the submission was checked */
const words = (s: string | null): string[] => {
  const split = s ? shellWords(s) : { words: [] };
  return 'words' in split ? split.words : [];
};
/** a text field (base64 of its bytes) as text; none is empty */
const decoded = (b64: string | null): string => (b64 === null ? '' : Buffer.from(b64, 'base64').toString('utf8'));

/** the native job for a submission; number_of_runs > 1 becomes judge mode with that many runs */
export function nativeRequest(
  s: Omit<Submission, 'token'>,
  runtime: RuntimeInfo,
  extraFiles: { name: string; content: Buffer }[],
): JobRequest {
  const own = ownLanguage(s.language_id);
  const args = own?.args === false ? [] : words(s.command_line_arguments);
  const request: JobRequest = {
    language: runtime.id,
    files: nativeFiles(s, runtime, extraFiles),
    ...(args.length ? { args } : {}),
    ...(words(s.compiler_options).length && runtime.compiled ? { compileArgs: words(s.compiler_options) } : {}),
    ...(s.redirect_stderr_to_stdout ? { stderrToStdout: true } : {}),
    ...(s.enable_network ? { network: true } : {}),
    limits: nativeLimits(s),
  };
  // one run takes stdin byte for byte, as Judge0 writes it; runs (judge mode's tests) take text
  if (s.number_of_runs > 1) return { ...request, ...runs(s, decoded(s.stdin)) };
  return { ...request, stdin: s.stdin ?? '', stdinEncoding: 'base64' };
}

/**
 * The source first, under the runtime's name (for Judge0's own languages, their entry and
 * the source where it goes; a project's is its archive, run script first); the
 * additional files after it, less one that would take a name already there (the source
 * wins, as `unzip -n` leaves it)
 */
function nativeFiles(
  s: Pick<Submission, 'source_code' | 'language_id'>,
  runtime: RuntimeInfo,
  extraFiles: { name: string; content: Buffer }[],
): FileInput[] {
  const own = ownLanguage(s.language_id);
  const first = own
    ? own.files(s.source_code)
    : [{ name: runtime.sourceFile, content: s.source_code, encoding: 'base64' as const }];
  const taken = new Set(first.map((f) => f.name));
  const extra = extraFiles
    .filter((f) => !taken.has(f.name))
    .map((f) => ({ name: f.name, content: f.content.toString('base64'), encoding: 'base64' as const }));
  return [...first, ...(own?.project ? projectFiles(extra) : extra)];
}

/** Judge0's limits (s, KB) in native units (ms, bytes) */
function nativeLimits(s: Omit<Submission, 'token'>): RequestLimits {
  // isolate reads 0 as no limit for time, stack and file size: here, Judge0's maximum
  const [maxCpu, maxStack, maxFile] = [
    JUDGE0_LIMITS.cpu_time_limit[1],
    JUDGE0_LIMITS.stack_limit[1],
    JUDGE0_LIMITS.max_file_size[1],
  ];
  const cpuS = s.cpu_time_limit || maxCpu;
  const fileBytes = Math.max(KiB, (s.max_file_size || maxFile) * KiB);
  return {
    // isolate kills at time + extra time; the verdict is decided against time alone
    cpuMs: Math.max(1, Math.round((cpuS + s.cpu_extra_time) * 1000)),
    wallMs: Math.round(s.wall_time_limit * 1000),
    memoryBytes: Math.max(4 << 20, s.memory_limit * KiB),
    pids: Math.max(2, s.max_processes_and_or_threads),
    stackBytes: Math.max(64 * KiB, (s.stack_limit || maxStack) * KiB),
    fileSizeBytes: fileBytes,
    // Judge0's stdout is a file under max_file_size: past it, SIGXFSZ
    outputBytes: fileBytes,
  };
}

/** number_of_runs as judge mode: that many tests of the same stdin */
function runs(
  s: Pick<Submission, 'number_of_runs' | 'expected_output'>,
  stdin: string,
): Pick<JobRequest, 'tests' | 'checker' | 'stopOnFirstFailure'> {
  const expected = decoded(s.expected_output);
  // Judge0 stops at the first run that is not Accepted; with no expected output only a
  // failed run stops it, which the verdicts (against '') cannot tell: then all runs run
  const judged =
    s.expected_output !== null
      ? { checker: 'trailing-whitespace' as const, stopOnFirstFailure: true }
      : { checker: 'exact' as const };
  return { tests: Array.from({ length: s.number_of_runs }, () => ({ stdin, expectedOutput: expected })), ...judged };
}
