/**
 * A job as Judge0 reports its submission: the status a run maps to (isolate_job.rb's
 * verify), its time in seconds as a string, memory in KB, output as base64 of its bytes,
 * compile_output, and number_of_runs averaged; every attribute in the serializer's order
 * (submission_serializer.rb).
 */
import type { CompileJson, JobView, JudgeJson, RuntimeInfo, TestJson } from '@codebox/protocol';
import { languageName } from './languages.js';
import { JUDGE0_STATUSES, STATUS } from './statuses.js';
import type { Submission } from './submission.js';
import { signalNumber } from '../../signals.js';

const KiB = 1024;
/** the signals Judge0 has a status of their own for; any other is Runtime Error (Other) */
const BY_SIGNAL: Readonly<Record<number, number>> = {
  11: STATUS.SIGSEGV,
  25: STATUS.SIGXFSZ,
  8: STATUS.SIGFPE,
  6: STATUS.SIGABRT,
};

/** isolate_job.rb's strip: trailing whitespace off every line, then trailing blank lines */
export function strip(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/[\s\0]+$/, ''))
    .join('\n')
    .replace(/[\s\0]+$/, '');
}

interface RunOutcome {
  status_id: number;
  time: string | null;
  wall_time: string | null;
  memory: number | null;
  stdout: string | null;
  stderr: string | null;
  exit_code: number | null;
  exit_signal: number | null;
  message: string | null;
  cpuMs: number;
  memoryBytes: number;
}

/** what a status decides of a run */
type Verdict = Pick<RunOutcome, 'status_id'> & Partial<Pick<RunOutcome, 'exit_signal' | 'message'>>;

/** a submission's result so far, and its message */
interface Reported {
  result: Partial<RunOutcome> & { status_id: number; compile_output?: string | null };
  message: string | null;
}

type RunLike = CompileJson & Partial<Pick<TestJson, 'verdict' | 'stdoutTruncated'>>;
type Judged = Pick<Submission, 'cpu_time_limit' | 'expected_output'>;

const bytes = (s: string, enc: string): Buffer => Buffer.from(s, enc === 'base64' ? 'base64' : 'utf8');
const nonEmptyBase64 = (b: Buffer): string | null => (b.length === 0 ? null : b.toString('base64'));
const b64 = (s: string, enc: string): string | null => nonEmptyBase64(bytes(s, enc));
const status = (status_id: number): Reported => ({ result: { status_id }, message: null });

/**
 * A decimal column (time, wall_time and the three time limits) as Judge0 answers it: a
 * BigDecimal, which Rails sends as a string in plain notation with at least one decimal
 * (BigDecimal#to_s: "0.25", "1.0", "0.0", "0.0000001"); the integer columns are numbers.
 * A Float stored there (a client's JSON number, number_of_runs' average) keeps 16
 * significant digits, as Ruby 2.7's Float#to_d does (Float::DIG + 1).
 */
export function railsDecimal(n: number): string {
  const kept = Number(n.toPrecision(16));
  // seconds here, far under 1e21, where toFixed would write an exponent
  if (Number.isInteger(kept)) return kept.toFixed(1);
  const text = String(kept);
  if (!text.includes('e')) return text;
  // under 1e-6 String() writes an exponent (1e-7, 1.5e-7): the digits are written out
  const [mantissa = '', exponent = ''] = text.split('e');
  const digits = mantissa.replace(/[-.]/g, '');
  return `${kept < 0 ? '-' : ''}0.${'0'.repeat(-Number(exponent) - 1)}${digits}`;
}

/** one run as isolate_job.rb's verify would record it */
function outcome(r: RunLike, s: Judged): RunOutcome {
  return {
    time: railsDecimal(r.cpuMs / 1000),
    wall_time: railsDecimal(r.wallMs / 1000),
    memory: Math.round(r.memoryBytes / KiB),
    stdout: b64(r.stdout, r.stdoutEncoding),
    stderr: b64(r.stderr, r.stderrEncoding),
    exit_code: r.exitCode ?? 0,
    exit_signal: null,
    message: null,
    cpuMs: r.cpuMs,
    memoryBytes: r.memoryBytes,
    ...verify(r, s),
  };
}

/** the status of a run that ended, by how it ended */
function verify(r: RunLike, s: Judged): Verdict {
  switch (r.status) {
    case 'TIME_LIMIT':
      return { status_id: STATUS.TIME_LIMIT_EXCEEDED, message: 'Time limit exceeded' };
    case 'WALL_TIME_LIMIT':
      return { status_id: STATUS.TIME_LIMIT_EXCEEDED, message: 'Time limit exceeded (wall clock)' };
    case 'MEMORY_LIMIT':
      return { status_id: STATUS.RUNTIME_ERROR_OTHER, exit_signal: 9, message: 'Caught fatal signal 9' };
    case 'OUTPUT_LIMIT':
      return { status_id: STATUS.SIGXFSZ, exit_signal: 25, message: 'Caught fatal signal 25' };
    case 'INTERNAL_ERROR':
    case 'COMPILE_ERROR':
      return { status_id: STATUS.INTERNAL_ERROR, message: 'internal error' };
    case 'RUNTIME_ERROR':
      return r.signal
        ? signalled(signalNumber(r.signal) ?? 0)
        : { status_id: STATUS.NZEC, message: `Exited with error status ${r.exitCode}` };
    case 'OK':
      return answered(r, s);
  }
}

function signalled(n: number): Verdict {
  return { status_id: BY_SIGNAL[n] ?? STATUS.RUNTIME_ERROR_OTHER, exit_signal: n, message: `Caught fatal signal ${n}` };
}

/** a run that exited: over cpu_time_limit, or judged against expected_output after strip */
function answered(r: RunLike, s: Judged): Verdict {
  if (s.cpu_time_limit > 0 && r.cpuMs > s.cpu_time_limit * 1000)
    return { status_id: STATUS.TIME_LIMIT_EXCEEDED, message: 'Time limit exceeded' };
  const expected = s.expected_output === null ? null : Buffer.from(s.expected_output, 'base64').toString('utf8');
  // a run of number_of_runs whose stored stdout was cut: the judge compared all of it
  if (expected !== null && r.stdoutTruncated && r.verdict)
    return { status_id: r.verdict === 'ACCEPTED' ? STATUS.ACCEPTED : STATUS.WRONG_ANSWER };
  const got = bytes(r.stdout, r.stdoutEncoding).toString('utf8');
  return { status_id: expected === null || strip(expected) === strip(got) ? STATUS.ACCEPTED : STATUS.WRONG_ANSWER };
}

/** the submission's status and result from its job's: queued, running, ended without a result, or completed */
function reported(s: Submission, view: JobView | undefined): Reported {
  switch (view?.status) {
    case 'running':
      return status(STATUS.PROCESSING);
    case 'failed':
    case 'cancelled':
      return {
        result: { status_id: STATUS.INTERNAL_ERROR },
        message: view.error?.message ?? `the job was ${view.status}`,
      };
    case 'completed':
      return completed(s, view);
    default:
      return status(STATUS.IN_QUEUE);
  }
}

function completed(s: Submission, view: JobView): Reported {
  const compile = view.result?.compile ?? view.judge?.compile;
  const compileOutput = compile ? compilerOutput(compile) : null;
  if (view.result?.status === 'COMPILE_ERROR' || view.judge?.verdict === 'COMPILE_ERROR') {
    const timedOut = compile && (compile.status === 'TIME_LIMIT' || compile.status === 'WALL_TIME_LIMIT');
    return {
      result: {
        status_id: STATUS.COMPILATION_ERROR,
        compile_output: timedOut ? Buffer.from('Compilation time limit exceeded.').toString('base64') : compileOutput,
      },
      message: null,
    };
  }
  if (view.result) {
    const o = outcome(view.result, s);
    return { result: { ...o, compile_output: compileOutput }, message: o.message };
  }
  return view.judge ? runsOf(view.judge, s, compileOutput) : status(STATUS.IN_QUEUE);
}

/** Judge0's compile_output is the compiler's stdout and stderr in one (isolate's --stderr-to-stdout) */
function compilerOutput(c: CompileJson): string | null {
  return nonEmptyBase64(Buffer.concat([bytes(c.stdout, c.stdoutEncoding), bytes(c.stderr, c.stderrEncoding)]));
}

/** number_of_runs: runs up to the first that is not Accepted, the last one's status; time and memory averaged */
function runsOf(judge: JudgeJson, s: Submission, compileOutput: string | null): Reported {
  const runs: RunOutcome[] = [];
  for (const t of judge.tests) {
    const o = outcome(t, s);
    runs.push(o);
    if (o.status_id !== STATUS.ACCEPTED) break;
  }
  const last = runs.at(-1);
  if (!last) return status(STATUS.IN_QUEUE);
  return {
    result: {
      ...last,
      time: railsDecimal(runs.reduce((n, r) => n + r.cpuMs, 0) / runs.length / 1000),
      memory: Math.floor(runs.reduce((n, r) => n + r.memoryBytes / KiB, 0) / runs.length),
      compile_output: compileOutput,
    },
    message: last.message,
  };
}

/** every attribute of a submission, in the serializer's order; texts base64 of their bytes */
export function submissionRecord(
  s: Submission,
  view: JobView | undefined,
  runtime: RuntimeInfo | undefined,
): Record<string, unknown> {
  const { result, message } = reported(s, view);
  return {
    source_code: s.source_code,
    language_id: s.language_id,
    stdin: s.stdin,
    expected_output: s.expected_output,
    stdout: result.stdout ?? null,
    status_id: result.status_id,
    created_at: view?.createdAt ?? null,
    finished_at: view?.finishedAt ?? null,
    time: result.time ?? null,
    memory: result.memory ?? null,
    stderr: result.stderr ?? null,
    token: s.token,
    number_of_runs: s.number_of_runs,
    cpu_time_limit: railsDecimal(s.cpu_time_limit),
    cpu_extra_time: railsDecimal(s.cpu_extra_time),
    wall_time_limit: railsDecimal(s.wall_time_limit),
    memory_limit: s.memory_limit,
    stack_limit: s.stack_limit,
    max_processes_and_or_threads: s.max_processes_and_or_threads,
    enable_per_process_and_thread_time_limit: s.enable_per_process_and_thread_time_limit,
    enable_per_process_and_thread_memory_limit: s.enable_per_process_and_thread_memory_limit,
    max_file_size: s.max_file_size,
    compile_output: result.compile_output ?? null,
    exit_code: result.exit_code ?? null,
    exit_signal: result.exit_signal ?? null,
    message,
    wall_time: result.wall_time ?? null,
    compiler_options: s.compiler_options,
    command_line_arguments: s.command_line_arguments,
    redirect_stderr_to_stdout: s.redirect_stderr_to_stdout,
    callback_url: s.callback_url,
    additional_files: s.additional_files,
    enable_network: s.enable_network,
    status: { id: result.status_id, description: JUDGE0_STATUSES[result.status_id - 1]?.description },
    language: { id: s.language_id, name: runtime ? languageName(s.language_id, runtime) : null },
  };
}
