/**
 * What a Java entry's own text says of where it goes and what runs: a public top-level
 * class must live in a file of its name (`public class Solution` in Solution.java), and
 * the class to run is the first top-level class that declares `static void main(`. So a
 * program runs whatever its class is called — `Main`, `Solution`, `HelloWorld` — as
 * Piston's clients (which run `java File.java`) and people expect.
 *
 * A scanner, not a parser: comments, strings and character literals are blanked, then
 * braces counted; text blocks ("""…""") count as strings too.
 */

export interface JavaEntry {
  /** the public top-level class, whose name the file must have */
  readonly publicClass?: string;
  /** the first top-level class with a main method */
  readonly mainClass?: string;
}

const TOP_LEVEL =
  /\b(?:(public)\s+)?(?:(?:abstract|final|sealed|non-sealed|static|strictfp)\s+)*(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)/g;
const MAIN = /\bstatic\b[^;{}()]*\bvoid\s+main\s*\(/;

export function javaEntry(source: string): JavaEntry {
  const code = blank(source);
  let publicClass: string | undefined;
  let mainClass: string | undefined;
  // from one top-level type to the next: each match starts after the last one's body
  for (let i = 0; i < code.length;) {
    TOP_LEVEL.lastIndex = i;
    const m = TOP_LEVEL.exec(code);
    if (!m) break;
    // no brace comes between the name and the body (generics use <>, records ())
    const open = code.indexOf('{', m.index + m[0].length);
    if (open < 0) break;
    const close = matching(code, open);
    const name = m[2] ?? '';
    if (m[1]) publicClass ??= name;
    if (!mainClass && MAIN.test(bodyOnly(code.slice(open + 1, close)))) mainClass = name;
    i = close + 1;
  }
  return { ...(publicClass ? { publicClass } : {}), ...(mainClass ? { mainClass } : {}) };
}

/** the class body's own members: nested bodies (methods', inner classes') blanked */
function bodyOnly(body: string): string {
  let out = '';
  let depth = 0;
  for (const ch of body) {
    if (ch === '{') depth++;
    if (depth === 0) out += ch;
    if (ch === '}') depth--;
  }
  return out;
}

/** the index of the brace that closes the one at `open` (the end when unbalanced) */
function matching(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return i;
  }
  return code.length - 1;
}

/** comments, strings, text blocks and char literals as spaces: their braces are not code */
function blank(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const two = s.slice(i, i + 2);
    let end = i;
    if (two === '//') end = s.indexOf('\n', i);
    else if (two === '/*') end = s.indexOf('*/', i + 2) + 1;
    else if (s.startsWith('"""', i)) end = s.indexOf('"""', i + 3) + 2;
    else if (s[i] === '"' || s[i] === "'") {
      end = i + 1;
      while (end < s.length && s[end] !== s[i] && s[end] !== '\n') end += s[end] === '\\' ? 2 : 1;
    } else {
      out += s[i];
      i++;
      continue;
    }
    if (end < i) end = s.length - 1; // unterminated: to the end
    out += ' '.repeat(end - i + 1);
    i = end + 1;
  }
  return out;
}
