/**
 * A run's result on the wire: what `codebox exec --json` and `codebox run --json` print and
 * what the API's jobs carry. Output is text when it is valid UTF-8 and
 * base64 otherwise, said by stdoutEncoding / stderrEncoding, so no byte is lost.
 */
import type { JudgeResult, JudgeVerdict, TestResult, TestVerdict } from '@codebox/judge';
import type { ProgramResult } from '@codebox/runtimes';
import type { RunResult, Status } from '@codebox/sandbox';

export type Encoding = 'utf8' | 'base64';

export interface ResultJson {
  status: Status;
  exitCode: number | null;
  signal: string | null;
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
  stdout: string;
  stderr: string;
  stdoutEncoding: Encoding;
  stderrEncoding: Encoding;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  message?: string;
  /** `codebox run`, when there was a compile step */
  compile?: CompileJson;
}

/** a compile step: the verdict, accounting and output, without the truncation flags */
export type CompileJson = Pick<
  ResultJson,
  'status' | 'exitCode' | 'signal' | 'cpuMs' | 'wallMs' | 'memoryBytes' | 'stdout' | 'stderr' | 'stdoutEncoding' | 'stderrEncoding'
>;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeOutput(bytes: Buffer): { text: string; encoding: Encoding } {
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('base64'), encoding: 'base64' };
  }
}

export function toJson(r: RunResult | ProgramResult): ResultJson {
  const out = encodeOutput(r.stdout);
  const err = encodeOutput(r.stderr);
  return {
    status: r.status,
    exitCode: r.exitCode,
    signal: r.signal,
    cpuMs: r.cpuMs,
    wallMs: r.wallMs,
    memoryBytes: r.memoryBytes,
    stdout: out.text,
    stderr: err.text,
    stdoutEncoding: out.encoding,
    stderrEncoding: err.encoding,
    stdoutTruncated: r.stdoutTruncated,
    stderrTruncated: r.stderrTruncated,
    ...(r.message === undefined ? {} : { message: r.message }),
    ...('compile' in r && r.compile ? { compile: compileJson(r.compile) } : {}),
  };
}

function compileJson(c: RunResult): CompileJson {
  const { stdoutTruncated: _o, stderrTruncated: _e, message: _m, compile: _c, ...rest } = toJson(c);
  return rest;
}

/** one test of a judge job: its verdict, the run's accounting and output, the checker's word */
export interface TestJson extends CompileJson {
  index: number;
  name?: string;
  verdict: TestVerdict;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  checker?: string;
}

export interface JudgeJson {
  verdict: JudgeVerdict;
  passed: number;
  total: number;
  skipped: number;
  compile?: CompileJson;
  tests: TestJson[];
}

export function testJson(t: TestResult): TestJson {
  const { message: _m, compile: _c, ...run } = toJson(t.run);
  return { index: t.index, ...(t.name === undefined ? {} : { name: t.name }), verdict: t.verdict, ...run, ...(t.checker === undefined ? {} : { checker: t.checker }) };
}

export function judgeJson(j: JudgeResult): JudgeJson {
  return {
    verdict: j.verdict,
    passed: j.passed,
    total: j.total,
    skipped: j.skipped,
    ...(j.compile ? { compile: compileJson(j.compile) } : {}),
    tests: j.tests.map(testJson),
  };
}
