/**
 * The built-in checkers: does a program's output match the expected output? Pure
 * functions of two strings, each with a message saying where they first differ.
 *
 *   exact                byte for byte
 *   trailing-whitespace  line by line, ignoring whitespace at line ends and blank lines at
 *                        the end (the default: what a judge's users expect)
 *   tokens               the same whitespace-separated tokens in the same order
 *   float                tokens, where two numbers match within an absolute or a
 *                        relative tolerance (either suffices)
 *
 * tokens and float may ignore case (ignoreCase: Kattis's default validator does).
 */

export type BuiltinChecker =
  | { readonly type: 'exact' }
  | { readonly type: 'trailing-whitespace' }
  | { readonly type: 'tokens'; readonly ignoreCase?: boolean }
  | { readonly type: 'float'; readonly absolute?: number; readonly relative?: number; readonly ignoreCase?: boolean };

export interface CheckOutcome {
  readonly accepted: boolean;
  /** for people: where output and expected output first differ */
  readonly message: string;
}

const FLOAT_DEFAULT = 1e-6;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function check(checker: BuiltinChecker, output: string, expected: string): CheckOutcome {
  switch (checker.type) {
    case 'exact':
      return output === expected ? ok() : differ('output', firstDifference(output, expected));
    case 'trailing-whitespace': {
      const a = trimLines(output);
      const b = trimLines(expected);
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i] !== b[i]) return differ(`line ${i + 1}`, `got ${show(a[i])}, expected ${show(b[i])}`);
      }
      return ok();
    }
    case 'tokens': {
      const a = tokens(output);
      const b = tokens(expected);
      const same = sameToken(checker.ignoreCase);
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (!same(a[i], b[i])) return differ(`token ${i + 1}`, `got ${show(a[i])}, expected ${show(b[i])}`);
      }
      return ok();
    }
    case 'float': {
      const abs = checker.absolute ?? FLOAT_DEFAULT;
      const rel = checker.relative ?? FLOAT_DEFAULT;
      const a = tokens(output);
      const b = tokens(expected);
      const same = sameToken(checker.ignoreCase);
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const x = a[i];
        const y = b[i];
        if (x !== undefined && y !== undefined && NUMBER.test(x) && NUMBER.test(y)) {
          const dx = Math.abs(Number(x) - Number(y));
          if (dx <= abs || dx <= rel * Math.abs(Number(y))) continue;
          return differ(
            `token ${i + 1}`,
            `got ${x}, expected ${y} (difference ${dx}, tolerance ${abs} absolute or ${rel} relative)`,
          );
        }
        if (!same(x, y)) return differ(`token ${i + 1}`, `got ${show(x)}, expected ${show(y)}`);
      }
      return ok();
    }
  }
}

function sameToken(ignoreCase: boolean | undefined): (a: string | undefined, b: string | undefined) => boolean {
  if (!ignoreCase) return (a, b) => a === b;
  return (a, b) => a === b || (a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase());
}

function ok(): CheckOutcome {
  return { accepted: true, message: 'ok' };
}

function differ(where: string, what: string): CheckOutcome {
  return { accepted: false, message: `${where}: ${what}` };
}

function trimLines(s: string): string[] {
  const lines = s.split('\n').map((l) => l.replace(/[ \t\r\f\v]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function tokens(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

function show(s: string | undefined): string {
  if (s === undefined) return 'nothing';
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const line = a.slice(0, i).split('\n').length;
  return `first difference at byte ${i} (line ${line}): got ${show(a.slice(i, i + 20) || undefined)}, expected ${show(b.slice(i, i + 20) || undefined)}`;
}
