/**
 * A run's result on the wire: what `codebox exec --json` and `codebox run --json` print and
 * what the API's jobs carry (@codebox/model makes it from the engine's result). Output is
 * text when it is valid UTF-8 and its JSON escapes cost
 * at most 3/2 of its bytes (or base64's size, for a few bytes), and base64 otherwise, said
 * by stdoutEncoding / stderrEncoding: no byte is lost, and no output costs more than
 * maxEncodedBytes of its bytes inside a JSON string — in Redis, on the event stream, on the
 * wire. A control byte escaped is `\u0001`, 6 bytes for 1: such output goes as base64.
 */
import type { Scoring } from './groups.js';
import type { JudgeVerdict, ResultStatus, TestVerdict } from './verdicts.js';

export type Encoding = 'utf8' | 'base64';

export interface ResultJson {
  status: ResultStatus;
  exitCode: number | null;
  signal: string | null;
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
  stdout: string;
  stderr: string;
  stdoutEncoding: Encoding;
  stderrEncoding: Encoding;
  /**
   * the output was cut: at the job's outputBytes (the run was then OUTPUT_LIMIT), or, for a
   * judge job's test, to what is stored of each test (the worker's CODEBOX_TEST_OUTPUT_BYTES,
   * and nothing once the job's CODEBOX_RESULT_MAX_BYTES is spent)
   */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  message?: string;
  /** `codebox run`, when there was a compile step */
  compile?: CompileJson;
  /** what the job's `outputs` matched, read back out of the run's work dir */
  files?: OutputFileJson[];
  /** matching files left out: links and other non-files, and files past the count or byte cap */
  filesOmitted?: { count: number; bytes: number };
}

/** a file out of a run: its bytes as text or base64, as an output stream is carried */
export interface OutputFileJson {
  path: string;
  size: number;
  /** permission bits */
  mode: number;
  encoding: Encoding;
  content: string;
}

/** a compile step: the verdict, accounting and output, without the truncation flags */
export type CompileJson = Pick<
  ResultJson,
  | 'status'
  | 'exitCode'
  | 'signal'
  | 'cpuMs'
  | 'wallMs'
  | 'memoryBytes'
  | 'stdout'
  | 'stderr'
  | 'stdoutEncoding'
  | 'stderrEncoding'
>;

/** an output as the wire carries it, and what it costs there: its bytes inside a JSON string */
export interface EncodedOutput {
  text: string;
  encoding: Encoding;
  jsonBytes: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** base64's size for n bytes */
export function base64Bytes(n: number): number {
  return 4 * Math.ceil(n / 3);
}

/**
 * The most n bytes of output cost as sent. 3/2, not base64's 4/3: a newline escaped is 2
 * bytes, so a text of one character a line (`yes`, a judge's digits) is 3/2 of itself, and
 * stays text; base64's own size for a few bytes, where its padding is more.
 */
export function maxEncodedBytes(n: number): number {
  return Math.max(base64Bytes(n), Math.floor((3 * n) / 2));
}

/**
 * What bytes that are valid UTF-8 cost as a JSON string's content (JSON.stringify's
 * escapes): `"` and `\` and \b \t \n \f \r take 2, other control bytes 6 (\u0001), the
 * rest 1 each (a multi-byte character is its own bytes).
 */
function escapedBytes(bytes: Buffer): number {
  let n = bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b >= 0x20 && b !== 0x22 && b !== 0x5c) continue;
    n += b === 0x22 || b === 0x5c || b === 0x08 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d ? 1 : 5;
  }
  return n;
}

export function encodeOutput(bytes: Buffer): EncodedOutput {
  // counted before decoding: a text that would cost too much is never made
  const escaped = escapedBytes(bytes);
  if (escaped <= maxEncodedBytes(bytes.length)) {
    try {
      return { text: strictUtf8.decode(bytes), encoding: 'utf8', jsonBytes: escaped };
    } catch {
      // not UTF-8: base64
    }
  }
  return { text: bytes.toString('base64'), encoding: 'base64', jsonBytes: base64Bytes(bytes.length) };
}

/**
 * The longest head of bytes whose encoding costs at most maxJsonBytes (near enough: the
 * head of maxJsonBytes bytes when it fits, as text; else 3 bytes for every 4, which fit as
 * base64), and how many bytes it kept. A cut inside a UTF-8 character is not text.
 */
export function encodeOutputWithin(bytes: Buffer, maxJsonBytes: number): EncodedOutput & { keptBytes: number } {
  const max = Math.max(0, maxJsonBytes);
  const whole = encodeOutput(bytes);
  if (whole.jsonBytes <= max) return { ...whole, keptBytes: bytes.length };
  // an encoding never costs less than its bytes: at most max of them fit
  const head = encodeOutput(bytes.subarray(0, max));
  if (head.jsonBytes <= max) return { ...head, keptBytes: max };
  const kept = 3 * Math.floor(max / 4);
  const less = encodeOutput(bytes.subarray(0, kept));
  if (less.jsonBytes <= max) return { ...less, keptBytes: kept };
  return {
    text: bytes.subarray(0, kept).toString('base64'),
    encoding: 'base64',
    jsonBytes: base64Bytes(kept),
    keptBytes: kept,
  };
}

/** one test of a judge job: its verdict, the run's accounting and output, the checker's word */
export interface TestJson extends CompileJson {
  index: number;
  name?: string;
  verdict: TestVerdict;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  checker?: string;
  /** with groups: the test's group */
  group?: string;
  /** the part of the test's worth it earned, 0..1: with groups, or when a checker gave points */
  score?: number;
  /** with groups: the points it earned */
  points?: number;
}

/** one group (subtask) of a judge job */
export interface GroupJson {
  id: string;
  scoring: Scoring;
  /** the most it could score */
  points: number;
  score: number;
  /** every test ACCEPTED */
  passed: boolean;
  total: number;
  judged: number;
  skipped: number;
  /** the first verdict of its tests that is not ACCEPTED, else ACCEPTED; absent when none ran */
  verdict?: TestVerdict;
  /** the group it depends on that did not pass: its tests never ran */
  blockedBy?: string;
}

export interface JudgeJson {
  verdict: JudgeVerdict;
  passed: number;
  total: number;
  skipped: number;
  compile?: CompileJson;
  tests: TestJson[];
  /** with groups: the total, the most it could be, each group */
  score?: number;
  maxScore?: number;
  groups?: GroupJson[];
  /** a stored problem's job: the version it was judged against */
  problem?: { id: string; version: number };
}

/**
 * A job's budget for its stored result, in encoded bytes (its JSON). What is charged first
 * (a judge job's compile) counts; then each test is kept whole while the budget lasts, and
 * once a test does not fit, it and every test after it are stored without their output
 * (flagged truncated), so that what is kept is the tests' first ones, in order. A stored
 * test costs twice (the job's result and its `test` event): the budget is for each copy.
 */
export class ResultBudget {
  private left: number;
  private spent = false;

  constructor(maxBytes: number) {
    this.left = maxBytes;
  }

  charge(stored: unknown): void {
    this.left -= jsonBytesOf(stored);
  }

  test(t: TestJson): TestJson {
    if (!this.spent) {
      const size = jsonBytesOf(t);
      if (size <= this.left) {
        this.left -= size;
        return t;
      }
      this.spent = true;
    }
    return {
      ...t,
      stdout: '',
      stderr: '',
      stdoutEncoding: 'utf8',
      stderrEncoding: 'utf8',
      stdoutTruncated: t.stdoutTruncated || t.stdout !== '',
      stderrTruncated: t.stderrTruncated || t.stderr !== '',
    };
  }
}

function jsonBytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}
