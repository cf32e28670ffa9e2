/**
 * A finished job as Piston answers it (api/src/job.js): each stage's stdout, stderr,
 * output, code, signal, message and isolate-style status (RE SG TO OL EL XX, or null),
 * with Piston's units (ms, bytes); a failed compile copied into run.
 */
import type { CompileJson, JobEvent, JobView, ResultJson, RuntimeInfo } from '@codebox/protocol';
import { pistonName } from './runtimes.js';
import { signalNumber } from '../../signals.js';

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

const text = (s: string, encoding: string): string =>
  encoding === 'base64' ? Buffer.from(s, 'base64').toString('utf8') : s;

/** one stage as Piston reports it; `output` is stdout and stderr in the order they came, when known */
export function pistonStage(
  r: CompileJson & Partial<Pick<ResultJson, 'stdoutTruncated' | 'stderrTruncated'>>,
  output?: string,
): PistonStage {
  const stdout = text(r.stdout, r.stdoutEncoding);
  const stderr = text(r.stderr, r.stderrEncoding);
  const base = {
    stdout,
    stderr,
    output: output ?? stdout + stderr,
    cpu_time: r.cpuMs,
    wall_time: r.wallMs,
    memory: r.memoryBytes,
  };
  const killed = { code: null, signal: 'SIGKILL' };
  switch (r.status) {
    case 'OK':
      return { ...base, code: r.exitCode, signal: null, message: null, status: null };
    case 'RUNTIME_ERROR':
    case 'COMPILE_ERROR':
      return r.signal
        ? {
            ...base,
            code: null,
            signal: r.signal,
            message: `Caught fatal signal ${signalNumber(r.signal) ?? r.signal}`,
            status: 'SG',
          }
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
    const failed: PistonStage = {
      stdout: '',
      stderr: '',
      output: '',
      code: null,
      signal: null,
      message: view.error?.message ?? `the job ended ${view.status}`,
      status: 'XX',
      cpu_time: 0,
      wall_time: 0,
      memory: 0,
    };
    return { ...head, run: failed };
  }
  const compile = r.compile ? pistonStage(r.compile) : undefined;
  if (r.status === 'COMPILE_ERROR' && compile) return { ...head, run: compile, compile };
  return { ...head, run: pistonStage(r, output), ...(compile ? { compile } : {}) };
}

/** whether the run's `output` can be rebuilt from the job's events: a run that ran */
export const hasRunOutput = (view: JobView): view is JobView & { result: ResultJson } =>
  view.result !== undefined && view.result.status !== 'COMPILE_ERROR';

/**
 * Piston's `output`: the run's stdout and stderr in the order they were written, rebuilt
 * from the job's events; undefined when those were capped before the end (they hold less
 * than the result), and then stdout and stderr are joined instead.
 */
export function runOutput(events: readonly JobEvent[], r: ResultJson): string | undefined {
  let parts: Buffer[] = [];
  for (const event of events) {
    // the compiler's output comes first, under its own stage: only the run's counts here
    if (event.type === 'stage' && event.data.state === 'start') parts = [];
    if (event.type === 'stdout' || event.type === 'stderr')
      parts.push(Buffer.from(event.data.data, event.data.encoding));
  }
  const all = Buffer.concat(parts);
  const expected = Buffer.byteLength(r.stdout, r.stdoutEncoding) + Buffer.byteLength(r.stderr, r.stderrEncoding);
  return all.length === expected ? all.toString('utf8') : undefined;
}
