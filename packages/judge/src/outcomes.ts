/**
 * What a checker or interactor program said, by its protocol: pure functions of how it
 * ended and what it wrote.
 *
 *   testlib   exit 0 ok, 1 wrong answer, 2 presentation error, 3 FAIL (the judge's or
 *             the problem's fault), 7 points (its message starts "points P"), 8 the
 *             contestant's output ended early; the message is what it printed
 *   kattis    exit 42 accept, 43 reject, anything else a judge error; the message is
 *             judgemessage.txt from its feedback directory (else what it printed), the
 *             points score.txt's number when there is one
 *   codebox   an interactor of the first kind: exit 0 accepts, 1 or 2 rejects, the
 *             message its stderr
 *
 * A presentation error is a wrong answer here, its message saying so; a program that did
 * not exit by itself (a limit, a signal) failed, whatever its protocol.
 */

import { CHECKER_PROTOCOLS, INTERACTOR_PROTOCOLS } from '@codebox/protocol';

// the protocols are the wire's: one list, the judge's and its clients'
export { CHECKER_PROTOCOLS, INTERACTOR_PROTOCOLS };
export type CheckerProtocol = (typeof CHECKER_PROTOCOLS)[number];
export type InteractorProtocol = (typeof INTERACTOR_PROTOCOLS)[number];

export type CheckerWord =
  | { readonly kind: 'accept' | 'reject' | 'fail'; readonly message: string }
  | { readonly kind: 'points'; readonly points: number; readonly message: string }
  | { readonly kind: 'accept'; readonly points: number; readonly message: string };

/** how the program ended, as the engine says it */
export interface Ended {
  readonly status: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/** what is kept of a checker's message */
export const MESSAGE_BYTES = 4096;

const TESTLIB_POINTS = /^\s*points\s+([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\s|$)/;
const NUMBER = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

export function testlibWord(end: Ended, output: string): CheckerWord {
  const message = cut(output);
  const code = exited(end);
  switch (code) {
    case 0:
      return { kind: 'accept', message };
    case 1:
    case 2:
    case 8:
      return { kind: 'reject', message };
    case 7: {
      const m = TESTLIB_POINTS.exec(output);
      if (!m?.[1]) return { kind: 'fail', message: `exit 7 (points) without "points <number>": ${message}` };
      return { kind: 'points', points: Number(m[1]), message };
    }
    default:
      return { kind: 'fail', message: failed(end, message) };
  }
}

/**
 * feedback: the files the validator left in its feedback directory, by name
 * (judgemessage.txt, score.txt); output: what it printed.
 */
export function kattisWord(end: Ended, feedback: ReadonlyMap<string, string>, output: string): CheckerWord {
  const said = feedback.get('judgemessage.txt');
  const message = cut(said?.trim() ? said : output);
  const code = exited(end);
  if (code === 42) {
    const score = feedback.get('score.txt');
    if (score === undefined) return { kind: 'accept', message };
    const m = NUMBER.exec(score);
    if (!m?.[1]) return { kind: 'fail', message: `score.txt is not a number: ${JSON.stringify(cut(score, 60))}` };
    return { kind: 'accept', points: Number(m[1]), message };
  }
  if (code === 43) return { kind: 'reject', message };
  return { kind: 'fail', message: failed(end, message) };
}

export function codeboxWord(end: Ended, stderr: string): CheckerWord {
  const message = cut(stderr);
  const code = exited(end);
  if (code === 0) return { kind: 'accept', message };
  if (code === 1 || code === 2) return { kind: 'reject', message };
  return { kind: 'fail', message: failed(end, message) };
}

/** the exit code of a program that exited by itself; undefined after a limit or a signal */
function exited(end: Ended): number | undefined {
  if (end.status === 'OK') return 0;
  return end.status === 'RUNTIME_ERROR' && end.exitCode !== null ? end.exitCode : undefined;
}

function failed(end: Ended, message: string): string {
  return `it ended ${end.status} (${end.exitCode === null ? (end.signal ?? 'no exit') : `exit ${end.exitCode}`}): ${message}`;
}

/** trimmed, at most max bytes, never a broken UTF-8 character */
export function cut(text: string, max = MESSAGE_BYTES): string {
  const t = text.trim();
  const bytes = Buffer.from(t);
  if (bytes.length <= max) return t;
  let end = max;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString()}…`;
}
