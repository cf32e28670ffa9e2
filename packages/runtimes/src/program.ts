/**
 * A program in a language: compile once in a box of its own, then run in a fresh box
 * that receives the compile box's regular files (read back by the engine without ever
 * following a symlink) and nothing else. A failed compile — a non-zero exit, or any
 * limit hit — is COMPILE_ERROR with the compiler's output under `compile`.
 *
 * compileProgram and runCompiled are separate so a judge compiles once and runs many
 * times; runProgram does both.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { entryName, fileNameProblem } from '@codebox/protocol';
import { LimitError, SpecError, checkRelativePath, DEFAULT_POLICY } from '@codebox/sandbox';
import type {
  BindSpec,
  Collect,
  FileSpec,
  LimitPolicy,
  Limits,
  NetworkMode,
  RunHooks,
  RunResult,
  Sandbox,
  Status,
} from '@codebox/sandbox';
import { BASE_ENV } from './env.js';
import { COMPILE_POLICY, stepLimits } from './limits.js';
import type { Runtime, StepContext } from './runtime.js';

export interface SourceFile {
  /** a relative path; the first file is the entry and is placed as the runtime says */
  readonly name: string;
  readonly content: Buffer | string;
}

export interface ProgramRequest {
  readonly files: readonly SourceFile[];
  /** the entry keeps the name it was given (Piston's way), where its language allows */
  readonly keepNames?: boolean;
  readonly stdin?: Buffer | string | Readable;
  /** appended to the run command */
  readonly args?: readonly string[];
  /** appended to the compile command (compiler options), each one argument */
  readonly compileArgs?: readonly string[];
  /** the program's stderr goes to its stdout, in order (one pipe) */
  readonly mergeStderr?: boolean;
  readonly limits?: Partial<Limits>;
  readonly compileLimits?: Partial<Limits>;
  /** the most the compile step may hand to the run step, in bytes (ProgramPolicy.artifactBytes) */
  readonly artifactBytes?: number;
  readonly network?: NetworkMode;
  /** a root filesystem directory; undefined: the host's */
  readonly rootfs?: string;
  /**
   * host files shown read-only in the box beside its files (the engine's BindSpec): a
   * checker's test data, a header its compile includes. Never part of a compile's artifact.
   */
  readonly binds?: readonly BindSpec[];
  /**
   * globs of files to read back out of the run step's work dir however it ended (a plot, a
   * CSV), within the policy's outputs caps: the result's files
   */
  readonly outputs?: readonly string[];
}

export interface ProgramPolicy {
  readonly run: LimitPolicy;
  readonly compile: LimitPolicy;
  /**
   * what the compile step may hand to the run step: its files' bytes in all (a sparse file
   * counts its size), the default and the most a request may ask
   */
  readonly artifactBytes: { readonly default: number; readonly maximum: number };
  /** what a run's outputs may bring back: files, and their bytes in all */
  readonly outputs: { readonly maxFiles: number; readonly maxBytes: number };
}

export const DEFAULT_OUTPUTS = { maxFiles: 32, maxBytes: 8 << 20 } as const;

export const DEFAULT_ARTIFACT_BYTES = { default: 64 << 20, maximum: 256 << 20 } as const;

export const DEFAULT_PROGRAM_POLICY: ProgramPolicy = {
  run: DEFAULT_POLICY,
  compile: COMPILE_POLICY,
  artifactBytes: DEFAULT_ARTIFACT_BYTES,
  outputs: DEFAULT_OUTPUTS,
};

export type Step = 'compile' | 'run';

export interface ProgramHooks {
  readonly onStep?: (step: Step) => void;
  /** a step ended: its box's result */
  readonly onStepEnd?: (step: Step, result: RunResult) => void;
  /** a step's box is set up and released: setupMs is the engine's and bwrap's part */
  readonly onStart?: (step: Step, info: { setupMs: number; prestarted: boolean }) => void;
  readonly onOutput?: (step: Step, stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  readonly signal?: AbortSignal;
}

/** a program's status: the engine's, or COMPILE_ERROR when its compile step failed */
export type ProgramStatus = Status | 'COMPILE_ERROR';

/** the run's result; `compile` when there was a compile step (without its files) */
export interface ProgramResult extends Omit<RunResult, 'status'> {
  readonly status: ProgramStatus;
  readonly compile?: RunResult;
}

/** a program checked and laid out for its runtime */
export interface Prepared {
  readonly runtime: Runtime;
  readonly files: readonly FileSpec[];
  readonly entry: string;
  readonly sources: readonly string[];
  /** what runs, where the language names it apart from the file (Java's main class) */
  readonly main?: string;
}

export interface Compiled {
  readonly prepared: Prepared;
  /** undefined when the runtime has no compile step */
  readonly result?: RunResult;
  readonly ok: boolean;
  /** what the run box gets: the compile box's files, or the program's own */
  readonly files: readonly FileSpec[];
}

const MAX_ARGS = 256;

/**
 * A file name as a command-line operand: one that starts with anything but a letter,
 * digit, `_` or `.` gets `./` before it, which every tool reads as a path. With
 * protocol's fileNameProblem (checked in prepare) this is the second of two fences
 * between a name and an option.
 */
export function operand(name: string): string {
  return /^[A-Za-z0-9_.]/.test(name) ? name : `./${name}`;
}

/**
 * The program laid out for its runtime. The entry goes where the runtime says (main.py,
 * Main.java), or where its own text says (a Java public class in a file of its name), or,
 * with keepNames, under the name it was given (Piston's way: argv[0] and messages name
 * the client's file) — unless its text says otherwise, as a Java public class does.
 */
export function prepare(
  runtime: Runtime,
  files: readonly SourceFile[],
  options: { keepNames?: boolean } = {},
): Prepared {
  // the test on an unknown: Array.isArray narrows a readonly array to any[]
  const list: unknown = files;
  if (!Array.isArray(list) || files.length === 0)
    throw new SpecError('files', 'at least one file, the entry, is needed');
  const given = String(files[0]?.name ?? '');
  const first = files[0]?.content;
  const plan =
    runtime.entry?.(typeof first === 'string' ? first : Buffer.isBuffer(first) ? first.toString('utf8') : '') ?? {};
  const entry = plan.file ?? (options.keepNames && given ? given : entryName(runtime, given));
  if (options.keepNames || plan.file) checkRelativePath(entry, 'files[0].name');
  const laid: FileSpec[] = [];
  const seen = new Set<string>();
  files.forEach((f, i) => {
    const name = i === 0 ? entry : f.name;
    if (i > 0) checkRelativePath(f.name, `files[${i}].name`);
    const problem = typeof f.name === 'string' ? fileNameProblem(f.name) : undefined;
    if (problem) throw new SpecError(`files[${i}].name`, problem);
    if (seen.has(name))
      throw new SpecError(`files[${i}].name`, `${name} is there twice (the entry is placed as ${entry})`);
    if (typeof f.content !== 'string' && !Buffer.isBuffer(f.content))
      throw new SpecError(`files[${i}].content`, 'must be a string or bytes');
    seen.add(name);
    laid.push({ path: name, content: f.content });
  });
  const ownExt = (p: string): boolean => runtime.extensions.includes(path.extname(p).toLowerCase());
  const sources = [
    entry,
    ...laid
      .slice(1)
      .map((f) => f.path)
      .filter(ownExt),
  ].map(operand);
  return { runtime, files: laid, entry: operand(entry), sources, ...(plan.main ? { main: plan.main } : {}) };
}

export async function compileProgram(
  sandbox: Sandbox,
  prepared: Prepared,
  request: Pick<ProgramRequest, 'compileLimits' | 'rootfs' | 'compileArgs' | 'artifactBytes' | 'binds'>,
  policy: ProgramPolicy = DEFAULT_PROGRAM_POLICY,
  hooks: ProgramHooks = {},
): Promise<Compiled> {
  const { runtime } = prepared;
  if (!runtime.compile) return { prepared, ok: true, files: prepared.files };
  let limits: Limits;
  try {
    limits = stepLimits(request.compileLimits, policy.compile, runtime.floors?.compile);
  } catch (err) {
    if (err instanceof LimitError)
      throw new SpecError(`compileLimits.${err.field}`, err.message.replace(/^limits\.[^:]*: /, ''));
    throw err;
  }
  const artifactBytes = request.artifactBytes ?? policy.artifactBytes.default;
  if (!Number.isInteger(artifactBytes) || artifactBytes < 0)
    throw new SpecError('artifactBytes', 'must be a whole number of bytes');
  if (artifactBytes > policy.artifactBytes.maximum)
    throw new SpecError('artifactBytes', `${artifactBytes} is over the maximum ${policy.artifactBytes.maximum}`);
  const ctx: StepContext = {
    limits,
    entry: prepared.entry,
    sources: prepared.sources,
    extraArgs: checkArgs(request.compileArgs ?? [], 'compileArgs'),
  };
  const extra = runtime.compileFiles ?? [];
  hooks.onStep?.('compile');
  const result = await sandbox.run(
    {
      argv: runtime.compile(ctx),
      env: { ...BASE_ENV, ...runtime.env?.(limits) },
      files: [...prepared.files, ...extra],
      limits,
      network: 'none',
      collect: { maxBytes: artifactBytes },
      ...(request.rootfs === undefined ? {} : { rootfs: request.rootfs }),
      ...(request.binds?.length ? { binds: request.binds } : {}),
    },
    boxHooks('compile', hooks),
  );
  // an artifact that did not fit the cap would leave the run step without its program
  const over = result.status === 'OK' && (result.filesBytesOver ?? 0) > 0;
  const { files: _artifact, filesSkipped: _skipped, filesBytesOver: _over, ...rest } = result;
  const compileResult: RunResult = over
    ? {
        ...rest,
        status: 'OUTPUT_LIMIT',
        message: `the compile step left more than ${artifactBytes} bytes of files (artifactBytes)`,
      }
    : rest;
  hooks.onStepEnd?.('compile', compileResult);
  const ok = compileResult.status === 'OK';
  // a bind's mount point is an empty file in the work dir: not the program's
  const helpers = new Set([...extra.map((f) => f.path), ...(request.binds ?? []).map((b) => b.path)]);
  const files = ok ? (result.files ?? []).filter((f) => !helpers.has(f.path)) : [];
  return { prepared, result: compileResult, ok, files };
}

export async function runCompiled(
  sandbox: Sandbox,
  compiled: Compiled,
  request: Omit<ProgramRequest, 'files' | 'compileLimits'> & {
    /** files to read back after the run (the engine's Collect): a validator's feedback */
    readonly collect?: Collect;
    /** an empty directory of the work dir made before the program starts (a validator's feedback dir) */
    readonly mkdir?: string;
  },
  policy: ProgramPolicy = DEFAULT_PROGRAM_POLICY,
  hooks: ProgramHooks = {},
): Promise<RunResult> {
  const { runtime, entry, sources, main } = compiled.prepared;
  const args = checkArgs(request.args ?? [], 'args');
  const asked = stepLimits(request.limits, policy.run, runtime.floors?.run);
  // the artifact does not eat into the program's own disk allowance
  const artifactBytes = compiled.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  const limits: Limits = {
    ...asked,
    workDirBytes: Math.min(policy.run.maxima.workDirBytes, asked.workDirBytes + artifactBytes),
  };
  const ctx: StepContext = { limits, entry, sources, ...(main ? { main } : {}) };
  hooks.onStep?.('run');
  if (request.mkdir !== undefined) checkRelativePath(request.mkdir, 'mkdir');
  const own = [...runtime.run(ctx), ...args];
  // one pipe for both streams, by the shell's own redirection; the argv stays argv
  const merged = request.mergeStderr ? ['/bin/sh', '-c', 'exec "$@" 2>&1', 'sh', ...own] : own;
  // the engine places files, not directories: the shell makes it, by name as an argument
  const argv =
    request.mkdir === undefined
      ? merged
      : ['/bin/sh', '-c', 'd=$1; shift; mkdir -p -- "$d" && exec "$@"', 'sh', request.mkdir, ...merged];
  const result = await sandbox.run(
    {
      argv,
      env: { ...BASE_ENV, ...runtime.env?.(limits) },
      files: compiled.files,
      limits,
      network: request.network ?? 'none',
      ...(request.stdin === undefined ? {} : { stdin: request.stdin }),
      ...(request.rootfs === undefined ? {} : { rootfs: request.rootfs }),
      ...(request.binds?.length ? { binds: request.binds } : {}),
      ...(request.collect
        ? { collect: request.collect }
        : request.outputs === undefined
          ? {}
          : { collect: { patterns: request.outputs, always: true, ...policy.outputs } }),
    },
    boxHooks('run', hooks),
  );
  hooks.onStepEnd?.('run', result);
  return result;
}

export async function runProgram(
  sandbox: Sandbox,
  runtime: Runtime,
  request: ProgramRequest,
  policy: ProgramPolicy = DEFAULT_PROGRAM_POLICY,
  hooks: ProgramHooks = {},
): Promise<ProgramResult> {
  const prepared = prepare(runtime, request.files, request.keepNames ? { keepNames: true } : {});
  // every limit is checked before any box is made: a bad run limit fails the whole request
  stepLimits(request.limits, policy.run, runtime.floors?.run);
  const compiled = await compileProgram(sandbox, prepared, request, policy, hooks);
  if (!compiled.ok) return { ...notRun('COMPILE_ERROR'), ...(compiled.result ? { compile: compiled.result } : {}) };
  const run = await runCompiled(sandbox, compiled, request, policy, hooks);
  return compiled.result ? { ...run, compile: compiled.result } : run;
}

function checkArgs(args: readonly string[], field: string): readonly string[] {
  const list: unknown = args;
  if (!Array.isArray(list) || args.length > MAX_ARGS) throw new SpecError(field, `at most ${MAX_ARGS} arguments`);
  args.forEach((a, i) => {
    if (typeof a !== 'string') throw new SpecError(`${field}[${i}]`, 'must be a string');
  });
  return args;
}

/** the run step's fields when it never happened */
function notRun(status: 'COMPILE_ERROR'): ProgramResult {
  return {
    status,
    exitCode: null,
    signal: null,
    cpuMs: 0,
    wallMs: 0,
    memoryBytes: 0,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    stdoutTruncated: false,
    stderrTruncated: false,
    oomKilled: false,
    killedBy: null,
    setupMs: 0,
  };
}

function boxHooks(step: Step, hooks: ProgramHooks): RunHooks {
  return {
    ...(hooks.onOutput
      ? { onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => hooks.onOutput?.(step, stream, chunk) }
      : {}),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(hooks.onStart
      ? { onStart: (info: { setupMs: number; prestarted: boolean }) => hooks.onStart?.(step, info) }
      : {}),
  };
}
