/** A job on the wire: its life, what a client asks for, what it gets back, its events. */
import type { GroupInput } from './groups.js';
import type { CompileJson, JudgeJson, ResultJson, TestJson } from './result.js';
export type { CompileJson };

/** queued → running → completed | failed | cancelled */
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

/** the limits a request may set (the rest are the server's) */
export const REQUEST_LIMITS = [
  'cpuMs',
  'wallMs',
  'memoryBytes',
  'pids',
  'outputBytes',
  'stackBytes',
  'fileSizeBytes',
] as const;
export type RequestLimits = Partial<Record<(typeof REQUEST_LIMITS)[number], number>>;
/** the compile step's: the same, and what it may hand to the run step */
export const COMPILE_REQUEST_LIMITS = [...REQUEST_LIMITS, 'artifactBytes'] as const;
export type CompileRequestLimits = Partial<Record<(typeof COMPILE_REQUEST_LIMITS)[number], number>>;

export interface FileInput {
  name?: string;
  content: string;
  encoding?: 'utf8' | 'base64';
}

export interface JobRequest {
  language: string;
  version?: string;
  files: FileInput[];
  /** the entry keeps the name it was given (as Piston runs files), not the runtime's */
  keepNames?: boolean;
  stdin?: string;
  /** of stdin: base64 carries any bytes (default utf8) */
  stdinEncoding?: 'utf8' | 'base64';
  args?: string[];
  /** appended to the compile command, each one argument (compiled languages) */
  compileArgs?: string[];
  /** the program's stderr into its stdout, in the order written */
  stderrToStdout?: boolean;
  limits?: RequestLimits;
  compileLimits?: CompileRequestLimits;
  network?: boolean;
  /** globs of files to bring back out of the run's work dir (`*.png`, `out/**`): result.files */
  outputs?: string[];
  /** judge mode: compile once, run each test in a fresh box, check its output */
  tests?: TestInput[];
  /** judge mode against a stored problem: "id@version", or "id" for its latest version */
  problem?: string;
  /** judge mode: subtasks with points, every test in one */
  groups?: GroupInput[];
  /** default trailing-whitespace */
  checker?: CheckerInput;
  /** an interactive problem: a program wired to the solution's stdin and stdout */
  interactor?: InteractorInput;
  stopOnFirstFailure?: boolean;
}

export interface TestInput {
  name?: string;
  stdin?: string;
  expectedOutput: string;
  /** what it is worth in its group (points per test) */
  points?: number;
}

/** how a checker program answers: testlib's exit codes (the default) or a Kattis output validator's */
export const CHECKER_PROTOCOLS = ['testlib', 'kattis'] as const;
/** how an interactor answers: codebox's first kind (the default), testlib's, or a Kattis interactive validator's */
export const INTERACTOR_PROTOCOLS = ['codebox', 'testlib', 'kattis'] as const;
/** how a checker's points are read: part of the test (0..1), a percentage, or points of the test's worth */
export const POINT_SCALES = ['fraction', 'percent', 'absolute'] as const;

export interface ProgramCheckerInput {
  type: 'program';
  language: string;
  files: FileInput[];
  protocol?: (typeof CHECKER_PROTOCOLS)[number];
  /** after the protocol's own arguments (a Kattis validator's flags) */
  args?: string[];
  points?: (typeof POINT_SCALES)[number];
}

export type CheckerInput =
  | 'exact'
  | 'trailing-whitespace'
  | 'tokens'
  | 'float'
  | { type: 'tokens'; ignoreCase?: boolean }
  | { type: 'float'; absolute?: number; relative?: number; ignoreCase?: boolean }
  | ProgramCheckerInput;

export interface InteractorInput {
  language: string;
  files: FileInput[];
  protocol?: (typeof INTERACTOR_PROTOCOLS)[number];
  args?: string[];
  points?: (typeof POINT_SCALES)[number];
}

/**
 * Why a job failed: the service's reason, not the program's (that is in result). A closed
 * set, each code with what it means.
 */
export const JOB_ERRORS = {
  /** the worker that claimed it is gone; its program may have run, so it is not run again */
  WORKER_LOST: 'the worker running this job was lost; its program may have run, so it is not run again',
  /** the worker shut down and its grace ran out: the box was killed */
  WORKER_SHUTDOWN: 'the worker shut down before the program ended; it was killed',
  /** no live worker could run the language (after retries) */
  RUNTIME_ABSENT: 'no worker that took the job has this language',
  /** the request passed the API but not the engine (a limit below a runtime's floor…) */
  INVALID_REQUEST: 'the engine refused the request',
  /** the job could not be queued */
  UNAVAILABLE: 'the job could not be queued',
  /** the sandbox itself failed (not the program): see the message */
  INTERNAL: 'the sandbox failed',
  /**
   * the program ran, but its result could not be written: Redis refused it (over its
   * maxmemory), or it could not be made; its event stream's output is dropped with it
   */
  RESULT_NOT_STORED: 'the program ran but its result could not be stored',
} as const;
export type JobErrorCode = keyof typeof JOB_ERRORS;

/**
 * The sandbox's own failures, by the step that failed (the engine's SandboxError codes;
 * @codebox/model holds the two lists equal): an INTERNAL job error says which.
 */
export const SANDBOX_FAILURES = [
  'NOT_ROOT',
  'TOOL_MISSING',
  'SECCOMP_FAILED',
  'CGROUP_FAILED',
  'WORKDIR_FAILED',
  'LAUNCH_FAILED',
  'UIDS_TAKEN',
  'CLOSED',
] as const;
export type SandboxFailure = (typeof SANDBOX_FAILURES)[number];

export interface JobError {
  code: JobErrorCode;
  message: string;
  /** for INTERNAL: the sandbox step that failed, when it was the sandbox */
  sandbox?: SandboxFailure;
}

export function jobError(code: JobErrorCode, detail?: string, sandbox?: SandboxFailure): JobError {
  return {
    code,
    message: detail ? `${JOB_ERRORS[code]}: ${detail}` : JOB_ERRORS[code],
    ...(sandbox ? { sandbox } : {}),
  };
}

export interface JobView {
  id: string;
  status: JobStatus;
  language: string;
  version: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** exactly what `codebox run --json` prints (not in judge mode) */
  result?: ResultJson;
  /** judge mode: the verdict, the compile, and each test */
  judge?: JudgeJson;
  error?: JobError;
}

/** one output chunk on the event stream; chunks may split a UTF-8 sequence, hence base64 */
export interface OutputChunk {
  data: string;
  encoding: 'utf8' | 'base64';
}

export type JobEvent =
  | { type: 'status'; data: { status: JobStatus; error?: JobError } }
  | { type: 'stdout'; data: OutputChunk }
  | { type: 'stderr'; data: OutputChunk }
  | { type: 'stage'; data: StageEvent }
  | { type: 'test'; data: TestJson }
  | { type: 'result'; data: JobView };

/**
 * A step of the job starts or ends (compile, run). Output events after a compile start
 * are the compiler's; after a run start, the program's.
 */
export type StageEvent =
  | { stage: 'compile' | 'run'; state: 'start' }
  | { stage: 'compile' | 'run'; state: 'exit'; status: string; exitCode: number | null; signal: string | null };

/** a runtime a worker offers */
export interface RuntimeInfo {
  id: string;
  name: string;
  version: string;
  aliases: string[];
  extensions: string[];
  sourceFile: string;
  compiled: boolean;
  /** the compile step's command for an entry at sourceFile, under the default limits */
  compileCommand?: string[];
  /** the run step's command, likewise */
  runCommand?: string[];
}
