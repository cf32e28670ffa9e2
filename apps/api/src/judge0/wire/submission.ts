/**
 * A Judge0 submission as its model (submission.rb) takes it: defaults, validations and
 * their 422 messages ({attr: [messages]}, in the order the model adds them), texts kept as
 * base64 of their bytes. Ruby's decode64 is lenient, and so is this.
 */
import { asText } from '../../text.js';
import { JUDGE0_LIMITS } from './limits.js';
import { ownLanguage } from './own-languages.js';
import { shellWords } from './shell-words.js';
import type { LimitName } from './limits.js';

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

/** Judge0's 422 body: each attribute's messages */
export type Errors = Record<string, string[]>;

type Fields = Readonly<Record<string, unknown>>;
/** adds a message under an attribute */
type Report = (attr: string, message: string) => void;

/** the limits Judge0 stores as decimal columns (seconds); the rest are integers */
const DECIMAL = new Set<LimitName>(['cpu_time_limit', 'cpu_extra_time', 'wall_time_limit']);
/** each limit's lower bound: [min, strict] is "greater than min" when strict, else "at least min" */
const MINIMA: Readonly<Record<LimitName, readonly [min: number, strict: boolean]>> = {
  cpu_time_limit: [0, false],
  cpu_extra_time: [0, false],
  wall_time_limit: [1, false],
  memory_limit: [2048, false],
  stack_limit: [0, false],
  max_processes_and_or_threads: [0, true],
  max_file_size: [0, false],
  number_of_runs: [0, true],
};

/**
 * The model's defaults and validations. Texts come back base64 (the bytes as sent, or as
 * decoded when base64_encoded). A callback_url is judged by callbackProblem (the server's
 * callback policy): its message, or undefined.
 */
export function checkSubmission(
  body: unknown,
  base64: boolean,
  languageIds: ReadonlySet<number>,
  callbackProblem: (url: string) => string | undefined,
): { submission: Omit<Submission, 'token'> } | { errors: Errors } {
  const b: Fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Fields) : {};
  const errors: Errors = {};
  const add: Report = (k, m) => void (errors[k] ??= []).push(m);
  const source = textField(b.source_code, base64);
  checkProgram(source, b.additional_files, isProject(b.language_id, languageIds), add);
  const languageId = checkLanguage(b.language_id, languageIds, add);
  const limits = checkLimits(b, add);
  const compilerOptions = checkWords(b, 'compiler_options', add);
  const args = checkWords(b, 'command_line_arguments', add);
  const callback = checkString(b, 'callback_url', 2048, add);
  const callbackRefused = callback ? callbackProblem(callback) : undefined;
  if (callbackRefused) add('callback_url', callbackRefused);
  if (Object.keys(errors).length > 0) return { errors };
  return {
    submission: {
      language_id: languageId as number,
      source_code: source ?? '',
      stdin: textField(b.stdin, base64),
      expected_output: textField(b.expected_output, base64),
      compiler_options: compilerOptions,
      command_line_arguments: args,
      cpu_time_limit: limits.cpu_time_limit,
      cpu_extra_time: limits.cpu_extra_time,
      wall_time_limit: limits.wall_time_limit,
      memory_limit: Math.floor(limits.memory_limit),
      stack_limit: Math.floor(limits.stack_limit),
      max_processes_and_or_threads: Math.floor(limits.max_processes_and_or_threads),
      enable_per_process_and_thread_time_limit: railsBoolean(b.enable_per_process_and_thread_time_limit),
      enable_per_process_and_thread_memory_limit: railsBoolean(b.enable_per_process_and_thread_memory_limit),
      max_file_size: Math.floor(limits.max_file_size),
      number_of_runs: Math.floor(limits.number_of_runs),
      redirect_stderr_to_stdout: railsBoolean(b.redirect_stderr_to_stdout),
      callback_url: callback,
      additional_files:
        b.additional_files === undefined || b.additional_files === null
          ? null
          : Buffer.from(asText(b.additional_files), 'base64').toString('base64'),
      enable_network: railsBoolean(b.enable_network),
    },
  };
}

/** what Rails reads as false (ActiveModel::Type::Boolean's FALSE_VALUES) */
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF']);

/**
 * A boolean as Rails casts it (a form sends text, and JSON clients send "true" too): its
 * false words are false, any other value true; blank is the default, false
 */
function railsBoolean(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return false;
  return typeof v === 'string' ? !FALSE_WORDS.has(v) : true;
}

/** a text as base64 of its bytes: as sent, or decoded first when base64_encoded; null when absent */
function textField(v: unknown, base64: boolean): string | null {
  if (v === undefined || v === null) return null;
  const s = asText(v);
  return base64 ? Buffer.from(s, 'base64').toString('base64') : Buffer.from(s, 'utf8').toString('base64');
}

/** language_id as a number: a number, or digits */
const idOf = (raw: unknown): number | undefined =>
  typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;

/** whether the language is Judge0's multi-file program, whose program is its additional files */
function isProject(raw: unknown, languageIds: ReadonlySet<number>): boolean {
  const id = idOf(raw);
  return id !== undefined && languageIds.has(id) && ownLanguage(id)?.project === true;
}

/**
 * Rails' blank? of a text the model holds decoded, as bytes (Base64.decode64 gives binary):
 * none, or only ASCII whitespace ([[:space:]] of a binary string: space, \t \n \v \f \r)
 */
function blank(b64: string | null): boolean {
  return b64 === null || Buffer.from(b64, 'base64').every((c) => c === 0x20 || (c >= 0x09 && c <= 0x0d));
}

/**
 * the program: source_code present — or, for a project, blank and additional_files
 * present — each as Rails' presence and absence read them (blank?: whitespace is)
 */
function checkProgram(source: string | null, additionalFiles: unknown, project: boolean, add: Report): void {
  if (!project) {
    if (blank(source)) add('source_code', "can't be blank");
    return;
  }
  if (!blank(source)) add('source_code', 'must be blank');
  if (additionalFiles === undefined || additionalFiles === null || blank(asText(additionalFiles)))
    add('additional_files', "can't be blank");
}

/** language_id: a number, or digits; blank and unknown each said */
function checkLanguage(raw: unknown, languageIds: ReadonlySet<number>, add: Report): number | undefined {
  const id = idOf(raw);
  if (raw === undefined || raw === null || raw === '') add('language_id', "can't be blank");
  if (id === undefined || !languageIds.has(id)) add('language_id', `language with id ${asText(raw)} doesn't exist`);
  return id;
}

/** every limit, in JUDGE0_LIMITS's order; the default where absent or not a number */
function checkLimits(b: Fields, add: Report): Record<LimitName, number> {
  const limits = {} as Record<LimitName, number>;
  for (const k of Object.keys(JUDGE0_LIMITS) as LimitName[]) limits[k] = checkLimit(k, b[k], add);
  return limits;
}

function checkLimit(k: LimitName, v: unknown, add: Report): number {
  const [dflt, max] = JUDGE0_LIMITS[k];
  const [min, strict] = MINIMA[k];
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) {
    add(k, 'is not a number');
    return dflt;
  }
  if (strict ? n <= min : n < min) add(k, `must be greater than ${strict ? '' : 'or equal to '}${min}`);
  // Rails prints a decimal column's bound as 15.0, an integer column's as 512000
  if (n > max) add(k, `must be less than or equal to ${DECIMAL.has(k) ? max.toFixed(1) : max}`);
  return n;
}

/** compiler_options or command_line_arguments: at most 512 characters, and words bash would take (shell-words.ts) */
function checkWords(b: Fields, k: string, add: Report): string | null {
  const s = checkString(b, k, 512, add);
  const split = s === null ? undefined : shellWords(s);
  if (split && 'error' in split) add(k, split.error);
  return s;
}

/** a string attribute, any value as its text, at most max characters; null when absent */
function checkString(b: Fields, k: string, max: number, add: Report): string | null {
  const v = b[k];
  if (v === undefined || v === null) return null;
  const s = asText(v);
  if (s.length > max) add(k, `is too long (maximum is ${max} characters)`);
  return s;
}
