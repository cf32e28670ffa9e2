/**
 * Piston v2's wire format, as Piston documents and implements it (api/src/api/v2.js and
 * job.js): its request fields, units (ms, bytes), limit rules and messages, its result
 * shape and isolate-style statuses (RE SG TO OL EL XX). Pure translation to and from the
 * native job: the routes in routes.ts do the I/O.
 */
import semver from 'semver';
import { ApiError, checkJobRequest, findRuntime } from '@codebox/protocol';
import type { CompileJson, JobRequest, JobView, RequestContext, ResultJson, RuntimeInfo } from '@codebox/protocol';

/** Piston's language names where they differ from ours */
const PISTON_NAMES: Readonly<Record<string, string>> = { cpp: 'c++' };

export const pistonName = (rt: RuntimeInfo): string => PISTON_NAMES[rt.id] ?? rt.id;

/** Piston's answer to a bad request: 400 {message} */
export class PistonError extends Error {}

export interface PistonRuntime {
  language: string;
  version: string;
  aliases: string[];
  runtime?: string;
}

export function pistonRuntimes(runtimes: readonly RuntimeInfo[]): PistonRuntime[] {
  return runtimes.map((rt) => {
    const language = pistonName(rt);
    return {
      language,
      version: rt.version,
      aliases: [...new Set([rt.id, ...rt.aliases])].filter((a) => a !== language),
      ...(rt.id === 'javascript' || rt.id === 'typescript' ? { runtime: 'node' } : {}),
    };
  });
}

/** by Piston name or alias, and a version that is `*`, exact or a semver range */
export function findPistonRuntime(runtimes: readonly RuntimeInfo[], language: string, version: string): RuntimeInfo | undefined {
  const rt = runtimes.find((r) => pistonName(r) === language) ?? findRuntime(runtimes, language);
  if (!rt) return undefined;
  const have = semver.coerce(rt.version)?.version ?? rt.version;
  return version === '*' || version === rt.version || (semver.validRange(version) !== null && semver.satisfies(have, version)) ? rt : undefined;
}

const CONSTRAINTS = [
  ['timeout', 'wallMs'],
  ['cpu_time', 'cpuMs'],
  ['memory_limit', 'memoryBytes'],
] as const;

/**
 * An execute body, checked as Piston checks it, into a native request. Limits: absent or
 * 0 is the server's default, -1 the server's maximum; over the maximum is refused.
 */
export function pistonRequest(body: unknown, ctx: RequestContext): { request: JobRequest; runtime: RuntimeInfo } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new PistonError('the body must be a JSON object');
  const { language, version, files } = b;
  if (!language || typeof language !== 'string') throw new PistonError('language is required as a string');
  if (!version || typeof version !== 'string') throw new PistonError('version is required as a string');
  if (!files || !Array.isArray(files)) throw new PistonError('files is required as an array');
  for (const [i, f] of files.entries()) {
    if (typeof (f as { content?: unknown })?.content !== 'string') throw new PistonError(`files[${i}].content is required as a string`);
  }
  const runtime = findPistonRuntime(ctx.runtimes, language, version);
  if (!runtime) throw new PistonError(`${language}-${version} runtime is unknown`);
  const typed = files as { name?: unknown; content: string; encoding?: unknown }[];
  if (!typed.some((f) => !f.encoding || f.encoding === 'utf8')) throw new PistonError('files must include at least one utf8 encoded file');

  const limits: Record<string, Record<string, number>> = { run: {}, compile: {} };
  for (const [constraint, field] of CONSTRAINTS) {
    for (const stage of ['compile', 'run'] as const) {
      const name = `${stage}_${constraint}`;
      const value = b[name];
      if (!value) continue;
      if (typeof value !== 'number') throw new PistonError(`If specified, ${name} must be a number`);
      const max = ctx.maxima[stage][field];
      if (value === -1) {
        (limits[stage] as Record<string, number>)[field] = max;
        continue;
      }
      if (value > max) throw new PistonError(`${name} cannot exceed the configured limit of ${max}`);
      if (value < 0) throw new PistonError(`${name} must be non-negative`);
      (limits[stage] as Record<string, number>)[field] = Math.ceil(value);
    }
  }
  const stdin = typeof b.stdin === 'string' ? b.stdin : '';
  const request: JobRequest = {
    language: runtime.id,
    files: typed.map((f, i) => ({
      name: typeof f.name === 'string' && f.name ? f.name : `file${i}.code`,
      ...(f.encoding === 'hex' ? { content: Buffer.from(f.content, 'hex').toString('base64'), encoding: 'base64' as const } : { content: f.content }),
      ...(f.encoding === 'base64' ? { encoding: 'base64' as const } : {}),
    })),
    // Piston ends stdin with a newline when it has none
    stdin: stdin.endsWith('\n') ? stdin : `${stdin}\n`,
    args: Array.isArray(b.args) ? (b.args as unknown[]).map(String) : [],
    ...(Object.keys(limits.run ?? {}).length > 0 ? { limits: limits.run } : {}),
    ...(Object.keys(limits.compile ?? {}).length > 0 ? { compileLimits: limits.compile } : {}),
  };
  try {
    return { request, runtime: checkJobRequest(request, ctx).runtime };
  } catch (err) {
    if (err instanceof ApiError) throw new PistonError(err.message);
    throw err;
  }
}

export interface PistonStage {
  stdout: string;
  stderr: string;
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: 'RE' | 'SG' | 'TO' | 'OL' | 'EL' | 'XX' | null;
  cpu_time: number;
  wall_time: number;
  memory: number;
}

export interface PistonResult {
  language: string;
  version: string;
  run: PistonStage;
  compile?: PistonStage;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGXCPU: 24, SIGXFSZ: 25, SIGSYS: 31 };

const text = (s: string, encoding: string): string => (encoding === 'base64' ? Buffer.from(s, 'base64').toString('utf8') : s);

/** one stage as Piston reports it; `output` is stdout and stderr in the order they came, when known */
export function pistonStage(r: CompileJson & Partial<Pick<ResultJson, 'stdoutTruncated' | 'stderrTruncated'>>, output?: string): PistonStage {
  const stdout = text(r.stdout, r.stdoutEncoding);
  const stderr = text(r.stderr, r.stderrEncoding);
  const base = { stdout, stderr, output: output ?? stdout + stderr, cpu_time: r.cpuMs, wall_time: r.wallMs, memory: r.memoryBytes };
  const killed = { code: null, signal: 'SIGKILL' };
  switch (r.status) {
    case 'OK':
      return { ...base, code: r.exitCode, signal: null, message: null, status: null };
    case 'RUNTIME_ERROR':
    case 'COMPILE_ERROR':
      return r.signal
        ? { ...base, code: null, signal: r.signal, message: `Caught fatal signal ${SIGNAL_NUMBERS[r.signal] ?? r.signal}`, status: 'SG' }
        : { ...base, code: r.exitCode, signal: null, message: `Exited with error status ${r.exitCode}`, status: 'RE' };
    case 'TIME_LIMIT':
      return { ...base, ...killed, message: 'Time limit exceeded', status: 'TO' };
    case 'WALL_TIME_LIMIT':
      return { ...base, ...killed, message: 'Time limit exceeded (wall clock)', status: 'TO' };
    case 'MEMORY_LIMIT':
      return { ...base, ...killed, message: 'Caught fatal signal 9', status: 'SG' };
    case 'OUTPUT_LIMIT':
      return r.stdoutTruncated || !r.stderrTruncated
        ? { ...base, ...killed, message: 'stdout length exceeded', status: 'OL' }
        : { ...base, ...killed, message: 'stderr length exceeded', status: 'EL' };
    case 'INTERNAL_ERROR':
      return { ...base, code: null, signal: null, message: 'internal error', status: 'XX' };
  }
}

/** a finished job as Piston answers; a failed compile is copied into run, as Piston does */
export function pistonResult(view: JobView, runtime: RuntimeInfo, output?: string): PistonResult {
  const r = view.result;
  const head = { language: pistonName(runtime), version: runtime.version };
  if (!r) {
    const failed: PistonStage = { stdout: '', stderr: '', output: '', code: null, signal: null, message: view.error?.message ?? `the job ended ${view.status}`, status: 'XX', cpu_time: 0, wall_time: 0, memory: 0 };
    return { ...head, run: failed };
  }
  const compile = r.compile ? pistonStage(r.compile) : undefined;
  if (r.status === 'COMPILE_ERROR' && compile) return { ...head, run: compile, compile };
  return { ...head, run: pistonStage(r, output), ...(compile ? { compile } : {}) };
}
