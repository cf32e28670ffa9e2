/**
 * The engine's results as the wire carries them: what `codebox run --json` and `codebox
 * exec --json` print and what a job's result holds. Output is encoded by protocol's
 * encodeOutput (text, or base64 where text would cost more).
 *
 * The engine and the judge declare their verdicts; the wire declares its own
 * (protocol/verdicts.ts). The assertions below fail the build if they ever part: every
 * engine status is a wire status, and a program's status is exactly the wire's.
 */
import { encodeOutput } from '@codebox/protocol';
import type { CompileJson, JudgeJson, OutputFileJson, ResultJson, ResultStatus, TestJson } from '@codebox/protocol';
import type { JudgeResult, TestResult } from '@codebox/judge';
import type { ProgramResult, ProgramStatus } from '@codebox/runtimes';
import type { CollectedFile, RunResult } from '@codebox/sandbox';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** a compile error that names the two lists when they differ */
const statusesAgree: Same<ProgramStatus, ResultStatus> = true;
void statusesAgree;

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
    ...(r.files ? { files: r.files.map(outputFileJson) } : {}),
    ...(r.filesSkipped || r.filesBytesOver
      ? { filesOmitted: { count: r.filesSkipped ?? 0, bytes: r.filesBytesOver ?? 0 } }
      : {}),
  };
}

function outputFileJson(f: CollectedFile): OutputFileJson {
  const { text, encoding } = encodeOutput(f.content);
  return { path: f.path, size: f.content.length, mode: f.mode, encoding, content: text };
}

/** a compile step's: no files (what it hands the run step is not the client's) */
export function compileJson(c: RunResult): CompileJson {
  const {
    stdoutTruncated: _o,
    stderrTruncated: _e,
    message: _m,
    compile: _c,
    files: _f,
    filesOmitted: _fo,
    ...rest
  } = toJson(c);
  return rest;
}

export function testJson(t: TestResult): TestJson {
  const { message: _m, compile: _c, files: _f, filesOmitted: _fo, ...run } = toJson(t.run);
  return {
    index: t.index,
    ...(t.name === undefined ? {} : { name: t.name }),
    verdict: t.verdict,
    ...run,
    ...(t.checker === undefined ? {} : { checker: t.checker }),
    ...(t.group === undefined ? {} : { group: t.group }),
    ...(t.score === undefined ? {} : { score: t.score }),
    ...(t.points === undefined ? {} : { points: t.points }),
  };
}

/** the judge's result; tests: as already encoded and stored (protocol's ResultBudget), else encoded here */
export function judgeJson(j: JudgeResult, tests: TestJson[] = j.tests.map(testJson)): JudgeJson {
  return {
    verdict: j.verdict,
    passed: j.passed,
    total: j.total,
    skipped: j.skipped,
    ...(j.compile ? { compile: compileJson(j.compile) } : {}),
    tests,
    ...(j.score === undefined ? {} : { score: j.score }),
    ...(j.maxScore === undefined ? {} : { maxScore: j.maxScore }),
    ...(j.groups ? { groups: j.groups.map((g) => ({ ...g })) } : {}),
  };
}
