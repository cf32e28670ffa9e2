/**
 * Judge0 CE 1.13's wire format, as Judge0 implements it (submissions_controller.rb,
 * submission.rb, submission_serializer.rb, isolate_job.rb, config.rb, status.rb,
 * db/languages/active.rb): field names, units (seconds as strings, memory in KB),
 * defaults and maxima, validation messages (422 {attr: [messages]}), statuses 1–14 and how
 * a run maps to them, the expected_output rule, fields and base64. Pure translation; the
 * routes are routes.ts.
 */
import type { JobRequest, JobView, ResultJson, RuntimeInfo, TestJson } from '@codebox/protocol';

export const JUDGE0_STATUSES = [
  'In Queue', 'Processing', 'Accepted', 'Wrong Answer', 'Time Limit Exceeded', 'Compilation Error',
  'Runtime Error (SIGSEGV)', 'Runtime Error (SIGXFSZ)', 'Runtime Error (SIGFPE)', 'Runtime Error (SIGABRT)',
  'Runtime Error (NZEC)', 'Runtime Error (Other)', 'Internal Error', 'Exec Format Error',
].map((description, i) => ({ id: i + 1, description }));

/** Judge0's ids for our languages; the older GCC ids still work, listed as archived */
export const JUDGE0_LANGUAGES: readonly { id: number; runtime: string; archived?: boolean }[] = [
  { id: 46, runtime: 'bash' },
  { id: 48, runtime: 'c', archived: true },
  { id: 49, runtime: 'c', archived: true },
  { id: 50, runtime: 'c' },
  { id: 52, runtime: 'cpp', archived: true },
  { id: 53, runtime: 'cpp', archived: true },
  { id: 54, runtime: 'cpp' },
  { id: 60, runtime: 'go' },
  { id: 62, runtime: 'java' },
  { id: 63, runtime: 'javascript' },
  { id: 64, runtime: 'lua' },
  { id: 68, runtime: 'php' },
  { id: 71, runtime: 'python' },
  { id: 72, runtime: 'ruby' },
  { id: 73, runtime: 'rust' },
  { id: 74, runtime: 'typescript' },
];

const NAMES: Readonly<Record<string, (v: string) => string>> = {
  bash: (v) => `Bash (${v})`,
  c: (v) => `C (GCC ${v})`,
  cpp: (v) => `C++ (GCC ${v})`,
  go: (v) => `Go (${v})`,
  java: (v) => `Java (OpenJDK ${v})`,
  javascript: (v) => `JavaScript (Node.js ${v})`,
  lua: (v) => `Lua (${v})`,
  php: (v) => `PHP (${v})`,
  python: (v) => `Python (${v})`,
  ruby: (v) => `Ruby (${v})`,
  rust: (v) => `Rust (${v})`,
  typescript: (v) => `TypeScript (${v})`,
};

export function judge0Name(rt: RuntimeInfo): string {
  return NAMES[rt.id]?.(rt.version) ?? `${rt.name} (${rt.version})`;
}

/** config.rb's defaults and maxima, in Judge0's units (s, KB) */
export const JUDGE0_LIMITS = {
  cpu_time_limit: [5.0, 15.0],
  cpu_extra_time: [1.0, 5.0],
  wall_time_limit: [10.0, 20.0],
  memory_limit: [128000, 512000],
  stack_limit: [64000, 128000],
  max_processes_and_or_threads: [60, 120],
  max_file_size: [1024, 4096],
  number_of_runs: [1, 20],
} as const;
export const MAX_EXTRACT_KB = 10240;
export const MAX_BATCH = 20;

export function configInfo(queueMax: number): Record<string, unknown> {
  const L = JUDGE0_LIMITS;
  return {
    maintenance_mode: false, enable_wait_result: true, enable_compiler_options: true, allowed_languages_for_compile_options: [],
    enable_command_line_arguments: true, enable_submission_delete: false, enable_callbacks: true, callbacks_max_tries: 3,
    callbacks_timeout: 5.0, enable_additional_files: true, max_queue_size: queueMax,
    cpu_time_limit: L.cpu_time_limit[0], max_cpu_time_limit: L.cpu_time_limit[1], cpu_extra_time: L.cpu_extra_time[0], max_cpu_extra_time: L.cpu_extra_time[1],
    wall_time_limit: L.wall_time_limit[0], max_wall_time_limit: L.wall_time_limit[1], memory_limit: L.memory_limit[0], max_memory_limit: L.memory_limit[1],
    stack_limit: L.stack_limit[0], max_stack_limit: L.stack_limit[1], max_processes_and_or_threads: L.max_processes_and_or_threads[0],
    max_max_processes_and_or_threads: L.max_processes_and_or_threads[1], enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: true, enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: true, max_file_size: L.max_file_size[0], max_max_file_size: L.max_file_size[1],
    number_of_runs: L.number_of_runs[0], max_number_of_runs: L.number_of_runs[1], redirect_stderr_to_stdout: false, max_extract_size: MAX_EXTRACT_KB,
    enable_batched_submissions: true, max_submission_batch_size: MAX_BATCH, submission_cache_duration: 1.0, use_docs_as_homepage: false,
    allow_enable_network: true, enable_network: false,
  };
}

/** a submission as stored: inputs as given (text fields as base64 of their bytes) */
export interface Submission {
  token: string;
  language_id: number;
  source_code: string;
  stdin: string | null;
  expected_output: string | null;
  compiler_options: string | null;
  command_line_arguments: string | null;
  cpu_time_limit: number;
  cpu_extra_time: number;
  wall_time_limit: number;
  memory_limit: number;
  stack_limit: number;
  max_processes_and_or_threads: number;
  enable_per_process_and_thread_time_limit: boolean;
  enable_per_process_and_thread_memory_limit: boolean;
  max_file_size: number;
  number_of_runs: number;
  redirect_stderr_to_stdout: boolean;
  callback_url: string | null;
  additional_files: string | null;
  enable_network: boolean;
}

export type Errors = Record<string, string[]>;

const TEXT = ['source_code', 'stdin', 'expected_output'] as const;
/** the limits Judge0 stores as decimal columns (seconds); the rest are integers */
const DECIMAL = new Set(['cpu_time_limit', 'cpu_extra_time', 'wall_time_limit']);

/**
 * The model's defaults and validations. Texts come back base64 (the bytes as sent, or as
 * decoded when base64_encoded); Ruby's decode64 is lenient, and so is this. A callback_url
 * is judged by callbackProblem (the server's callback policy): its message, or undefined.
 */
export function checkSubmission(
  body: unknown,
  base64: boolean,
  languageIds: ReadonlySet<number>,
  callbackProblem: (url: string) => string | undefined,
): { submission: Omit<Submission, 'token'> } | { errors: Errors } {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: Errors = {};
  const add = (k: string, m: string): void => void (errors[k] ??= []).push(m);
  const text = (k: (typeof TEXT)[number]): string | null => {
    const v = b[k];
    if (v === undefined || v === null) return null;
    const s = typeof v === 'string' ? v : String(v);
    return base64 ? Buffer.from(s, 'base64').toString('base64') : Buffer.from(s, 'utf8').toString('base64');
  };
  const source = text('source_code');
  if (source === null || source === '') add('source_code', "can't be blank");
  const langRaw = b.language_id;
  const languageId = typeof langRaw === 'number' ? langRaw : typeof langRaw === 'string' && /^\d+$/.test(langRaw) ? Number(langRaw) : undefined;
  if (langRaw === undefined || langRaw === null || langRaw === '') add('language_id', "can't be blank");
  if (languageId === undefined || !languageIds.has(languageId)) add('language_id', `language with id ${langRaw ?? ''} doesn't exist`);
  const num = (k: keyof typeof JUDGE0_LIMITS, min: number, strictMin: boolean): number => {
    const [dflt, max] = JUDGE0_LIMITS[k];
    const v = b[k];
    if (v === undefined || v === null || v === '') return dflt;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      add(k, 'is not a number');
      return dflt;
    }
    if (strictMin ? n <= min : n < min) add(k, `must be greater than ${strictMin ? '' : 'or equal to '}${min}`);
    // Rails prints a decimal column's bound as 15.0, an integer column's as 512000
    if (n > max) add(k, `must be less than or equal to ${DECIMAL.has(k) ? max.toFixed(1) : max}`);
    return n;
  };
  const cpu = num('cpu_time_limit', 0, false);
  const extra = num('cpu_extra_time', 0, false);
  const wall = num('wall_time_limit', 1, false);
  const memory = num('memory_limit', 2048, false);
  const stack = num('stack_limit', 0, false);
  const procs = num('max_processes_and_or_threads', 0, true);
  const fsize = num('max_file_size', 0, false);
  const runs = num('number_of_runs', 0, true);
  const str = (k: string, max: number): string | null => {
    const v = b[k];
    if (v === undefined || v === null) return null;
    const s = String(v);
    if (s.length > max) add(k, `is too long (maximum is ${max} characters)`);
    return s;
  };
  const compilerOptions = str('compiler_options', 512);
  const args = str('command_line_arguments', 512);
  const callback = str('callback_url', 2048);
  const callbackRefused = callback ? callbackProblem(callback) : undefined;
  if (callbackRefused) add('callback_url', callbackRefused);
  const additional = b.additional_files === undefined || b.additional_files === null ? null : Buffer.from(String(b.additional_files), 'base64').toString('base64');
  if (Object.keys(errors).length > 0) return { errors };
  return {
    submission: {
      language_id: languageId as number,
      source_code: source as string,
      stdin: text('stdin'),
      expected_output: text('expected_output'),
      compiler_options: compilerOptions,
      command_line_arguments: args,
      cpu_time_limit: cpu,
      cpu_extra_time: extra,
      wall_time_limit: wall,
      memory_limit: Math.floor(memory),
      stack_limit: Math.floor(stack),
      max_processes_and_or_threads: Math.floor(procs),
      enable_per_process_and_thread_time_limit: b.enable_per_process_and_thread_time_limit === true,
      enable_per_process_and_thread_memory_limit: b.enable_per_process_and_thread_memory_limit === true,
      max_file_size: Math.floor(fsize),
      number_of_runs: Math.floor(runs),
      redirect_stderr_to_stdout: b.redirect_stderr_to_stdout === true,
      callback_url: callback,
      additional_files: additional,
      enable_network: b.enable_network === true,
    },
  };
}

const KiB = 1024;
const words = (s: string | null): string[] => (s ? s.trim().split(/\s+/).filter(Boolean) : []);

/** the native job for a submission; number_of_runs > 1 becomes judge mode with that many runs */
export function nativeRequest(s: Omit<Submission, 'token'>, runtime: RuntimeInfo, extraFiles: { name: string; content: Buffer }[]): JobRequest {
  const source = { name: runtime.sourceFile, content: s.source_code, encoding: 'base64' as const };
  const files = [source, ...extraFiles.filter((f) => f.name !== runtime.sourceFile).map((f) => ({ name: f.name, content: f.content.toString('base64'), encoding: 'base64' as const }))];
  const stdin = s.stdin === null ? '' : Buffer.from(s.stdin, 'base64').toString('utf8');
  // isolate reads 0 as no limit for time, stack and file size: here, Judge0's maximum
  const [maxCpu, maxStack, maxFile] = [JUDGE0_LIMITS.cpu_time_limit[1], JUDGE0_LIMITS.stack_limit[1], JUDGE0_LIMITS.max_file_size[1]];
  const cpuS = s.cpu_time_limit || maxCpu;
  const fileBytes = Math.max(KiB, (s.max_file_size || maxFile) * KiB);
  const request: JobRequest = {
    language: runtime.id,
    files,
    ...(words(s.command_line_arguments).length ? { args: words(s.command_line_arguments) } : {}),
    ...(words(s.compiler_options).length && runtime.compiled ? { compileArgs: words(s.compiler_options) } : {}),
    ...(s.redirect_stderr_to_stdout ? { stderrToStdout: true } : {}),
    ...(s.enable_network ? { network: true } : {}),
    limits: {
      // isolate kills at time + extra time; the verdict is decided against time alone
      cpuMs: Math.max(1, Math.round((cpuS + s.cpu_extra_time) * 1000)),
      wallMs: Math.round(s.wall_time_limit * 1000),
      memoryBytes: Math.max(4 << 20, s.memory_limit * KiB),
      pids: Math.max(2, s.max_processes_and_or_threads),
      stackBytes: Math.max(64 * KiB, (s.stack_limit || maxStack) * KiB),
      fileSizeBytes: fileBytes,
      // Judge0's stdout is a file under max_file_size: past it, SIGXFSZ
      outputBytes: fileBytes,
    },
  };
  if (s.number_of_runs > 1) {
    const expected = s.expected_output === null ? '' : Buffer.from(s.expected_output, 'base64').toString('utf8');
    // Judge0 stops at the first run that is not Accepted; with no expected output only a
    // failed run stops it, which the verdicts (against '') cannot tell: then all runs run
    const judged = s.expected_output !== null ? { checker: 'trailing-whitespace' as const, stopOnFirstFailure: true } : { checker: 'exact' as const };
    return { ...request, tests: Array.from({ length: s.number_of_runs }, () => ({ stdin, expectedOutput: expected })), ...judged };
  }
  return { ...request, stdin };
}

/** isolate_job.rb's strip: trailing whitespace off every line, then trailing blank lines */
export function strip(text: string): string {
  return text.split('\n').map((l) => l.replace(/[\s\0]+$/, '')).join('\n').replace(/[\s\0]+$/, '');
}

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGXCPU: 24, SIGXFSZ: 25, SIGSYS: 31 };
const BY_SIGNAL: Readonly<Record<number, number>> = { 11: 7, 25: 8, 8: 9, 6: 10 };

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

type RunLike = Pick<ResultJson, 'status' | 'exitCode' | 'signal' | 'cpuMs' | 'wallMs' | 'memoryBytes' | 'stdout' | 'stderr' | 'stdoutEncoding' | 'stderrEncoding'> &
  Partial<Pick<TestJson, 'verdict' | 'stdoutTruncated'>>;

const bytes = (s: string, enc: string): Buffer => Buffer.from(s, enc === 'base64' ? 'base64' : 'utf8');
const nonEmptyBase64 = (b: Buffer): string | null => (b.length === 0 ? null : b.toString('base64'));
const b64 = (s: string, enc: string): string | null => nonEmptyBase64(bytes(s, enc));

/** one run as isolate_job.rb's verify would record it */
function outcome(r: RunLike, s: Pick<Submission, 'cpu_time_limit' | 'expected_output'>): RunOutcome {
  const base = {
    time: String(r.cpuMs / 1000),
    wall_time: String(r.wallMs / 1000),
    memory: Math.round(r.memoryBytes / KiB),
    stdout: b64(r.stdout, r.stdoutEncoding),
    stderr: b64(r.stderr, r.stderrEncoding),
    exit_code: r.exitCode ?? 0,
    exit_signal: null as number | null,
    message: null as string | null,
    cpuMs: r.cpuMs,
    memoryBytes: r.memoryBytes,
  };
  const signal = (name: string | null, fallback: number): number => (name ? SIGNALS[name] ?? fallback : fallback);
  switch (r.status) {
    case 'TIME_LIMIT':
      return { ...base, status_id: 5, message: 'Time limit exceeded' };
    case 'WALL_TIME_LIMIT':
      return { ...base, status_id: 5, message: 'Time limit exceeded (wall clock)' };
    case 'MEMORY_LIMIT':
      return { ...base, status_id: 12, exit_signal: 9, message: 'Caught fatal signal 9' };
    case 'OUTPUT_LIMIT':
      return { ...base, status_id: 8, exit_signal: 25, message: 'Caught fatal signal 25' };
    case 'INTERNAL_ERROR':
    case 'COMPILE_ERROR':
      return { ...base, status_id: 13, message: 'internal error' };
    case 'RUNTIME_ERROR': {
      if (r.signal) {
        const n = signal(r.signal, 0);
        return { ...base, status_id: BY_SIGNAL[n] ?? 12, exit_signal: n, message: `Caught fatal signal ${n}` };
      }
      return { ...base, status_id: 11, message: `Exited with error status ${r.exitCode}` };
    }
    case 'OK': {
      if (s.cpu_time_limit > 0 && r.cpuMs > s.cpu_time_limit * 1000) return { ...base, status_id: 5, message: 'Time limit exceeded' };
      const expected = s.expected_output === null ? null : Buffer.from(s.expected_output, 'base64').toString('utf8');
      // a run of number_of_runs whose stored stdout was cut: the judge compared all of it
      if (expected !== null && r.stdoutTruncated && r.verdict) return { ...base, status_id: r.verdict === 'ACCEPTED' ? 3 : 4 };
      const got = Buffer.from(r.stdout, r.stdoutEncoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
      return { ...base, status_id: expected === null || strip(expected) === strip(got) ? 3 : 4 };
    }
  }
}

/** every attribute of a submission, in the serializer's order; texts base64 of their bytes */
export function submissionRecord(s: Submission, view: JobView | undefined, runtime: RuntimeInfo | undefined): Record<string, unknown> {
  let result: Partial<RunOutcome> & { status_id: number; compile_output?: string | null } = { status_id: 1 };
  let message: string | null = null;
  if (view?.status === 'running') result = { status_id: 2 };
  else if (view?.status === 'failed' || view?.status === 'cancelled') {
    result = { status_id: 13 };
    message = view.error?.message ?? `the job was ${view.status}`;
  } else if (view?.status === 'completed') {
    const compile = view.result?.compile ?? view.judge?.compile;
    // Judge0's compile_output is the compiler's stdout and stderr in one (isolate's --stderr-to-stdout)
    const compileOutput = compile ? nonEmptyBase64(Buffer.concat([bytes(compile.stdout, compile.stdoutEncoding), bytes(compile.stderr, compile.stderrEncoding)])) : null;
    const compileFailed = view.result?.status === 'COMPILE_ERROR' || view.judge?.verdict === 'COMPILE_ERROR';
    if (compileFailed) {
      const timedOut = compile && (compile.status === 'TIME_LIMIT' || compile.status === 'WALL_TIME_LIMIT');
      result = { status_id: 6, compile_output: timedOut ? Buffer.from('Compilation time limit exceeded.').toString('base64') : compileOutput };
    } else if (view.result) {
      const o = outcome(view.result, s);
      result = { ...o, compile_output: compileOutput };
      message = o.message;
    } else if (view.judge) {
      // number_of_runs: runs up to the first that is not Accepted; time and memory averaged
      const runs: RunOutcome[] = [];
      for (const t of view.judge.tests) {
        const o = outcome(t as TestJson, s);
        runs.push(o);
        if (o.status_id !== 3) break;
      }
      const last = runs.at(-1);
      if (last) {
        result = {
          ...last,
          time: String(runs.reduce((n, r) => n + r.cpuMs, 0) / runs.length / 1000),
          memory: Math.floor(runs.reduce((n, r) => n + r.memoryBytes / KiB, 0) / runs.length),
          compile_output: compileOutput,
        };
        message = last.message;
      }
    }
  }
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
    cpu_time_limit: s.cpu_time_limit.toFixed(1),
    cpu_extra_time: s.cpu_extra_time.toFixed(1),
    wall_time_limit: s.wall_time_limit.toFixed(1),
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
    language: { id: s.language_id, name: runtime ? judge0Name(runtime) : null },
  };
}

export const ATTRIBUTES = [
  'source_code', 'language_id', 'stdin', 'expected_output', 'stdout', 'status_id', 'created_at', 'finished_at', 'time', 'memory', 'stderr', 'token',
  'number_of_runs', 'cpu_time_limit', 'cpu_extra_time', 'wall_time_limit', 'memory_limit', 'stack_limit', 'max_processes_and_or_threads',
  'enable_per_process_and_thread_time_limit', 'enable_per_process_and_thread_memory_limit', 'max_file_size', 'compile_output', 'exit_code',
  'exit_signal', 'message', 'wall_time', 'compiler_options', 'command_line_arguments', 'redirect_stderr_to_stdout', 'callback_url',
  'additional_files', 'enable_network', 'status', 'language',
] as const;
export const DEFAULT_FIELDS = ['token', 'time', 'memory', 'stdout', 'stderr', 'compile_output', 'message', 'status'];
const BASE64_FIELDS = new Set(['source_code', 'stdin', 'expected_output', 'stdout', 'stderr', 'compile_output']);

/** the `fields` query: undefined = the defaults; `*` = all; unknown ones are an error */
export function parseFields(fields: unknown): { fields: string[] } | { invalid: string[] } {
  if (typeof fields !== 'string' || fields === '') return { fields: DEFAULT_FIELDS };
  const asked = fields.split(',');
  if (asked.includes('*')) return { fields: [...ATTRIBUTES] };
  const invalid = asked.filter((f) => !(ATTRIBUTES as readonly string[]).includes(f));
  if (invalid.length > 0) return { invalid };
  return { fields: asked };
}

export class ConversionError extends Error {}

/** Ruby's encode64: a line break every 60 characters, and one at the end */
export function encode64(b64: string): string {
  return b64.replace(/.{1,60}/g, '$&\n');
}

/**
 * The serializer: the asked fields in attribute order; texts as base64 (encode64) or as
 * text — and text that is not valid UTF-8 is a ConversionError, as in Judge0.
 */
export function serialize(record: Record<string, unknown>, fields: readonly string[], base64: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const strict = new TextDecoder('utf-8', { fatal: true });
  for (const f of ATTRIBUTES) {
    if (!fields.includes(f)) continue;
    const v = record[f];
    if (f === 'additional_files') out[f] = typeof v === 'string' ? encode64(v) : null;
    else if (BASE64_FIELDS.has(f) && typeof v === 'string') {
      if (base64) out[f] = encode64(v);
      else {
        try {
          out[f] = strict.decode(Buffer.from(v, 'base64'));
        } catch {
          throw new ConversionError(f);
        }
      }
    } else if (f === 'message' && base64 && typeof v === 'string') out[f] = encode64(Buffer.from(v).toString('base64'));
    else out[f] = v;
  }
  return out;
}
