/**
 * What the docs test reads of a markdown file: its links, its code spans and the anchors
 * its headings make, each with the line it is on. Pure: text in, lists out; the test
 * decides what must exist.
 *
 * Only as much of CommonMark as our docs use: fenced code blocks (``` and ~~~) are output
 * and commands, never links; code spans (which may wrap a line) hide what they hold from
 * the link scan; ATX headings (`## Title`) make anchors the way GitHub does.
 */

export interface Found {
  /** the link's target, or the code span's text (a wrapped span joined with a space) */
  readonly text: string;
  /** 1-based line of its start */
  readonly line: number;
}

export interface Scanned {
  readonly links: readonly Found[];
  readonly codeSpans: readonly Found[];
  /** every anchor a `#…` link may name: headings' slugs, and `<a id>`/`<a name>` */
  readonly anchors: ReadonlySet<string>;
}

/**
 * GitHub's anchor for a heading (github-slugger): lower case, punctuation and symbols
 * dropped (`_` and `-` kept), each space a `-`. Markup goes first: a link counts as its
 * text, an HTML tag as nothing.
 */
export function slug(heading: string): string {
  return heading
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

export function scan(text: string): Scanned {
  const lineAt = lineIndex(text);
  const withoutFences = blankFences(text);
  const { blanked, spans } = codeSpans(withoutFences);

  const links: Found[] = [];
  // inline links and images, [text](target "title"): only the `](` part is needed, so
  // link text that wraps a line, or holds a code span, is no trouble
  for (const m of blanked.matchAll(/\]\(\s*(<[^>\n]*>|[^\s()]+)(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/g)) {
    links.push({ text: unbracket(m[1] ?? ''), line: lineAt(m.index + 2) });
  }
  // reference definitions, [label]: target
  for (const m of blanked.matchAll(/^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm)) {
    links.push({ text: unbracket(m[1] ?? ''), line: lineAt(m.index) });
  }
  links.sort((a, b) => a.line - b.line);

  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutFences.matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm)) {
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    // GitHub numbers a repeated heading's anchor: x, x-1, x-2
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of blanked.matchAll(/<a\s[^>]*?\b(?:id|name)\s*=\s*"([^"]+)"/g)) anchors.add(m[1] ?? '');

  return { links, codeSpans: spans.map((s) => ({ text: s.text, line: lineAt(s.start) })), anchors };
}

function unbracket(target: string): string {
  return target.startsWith('<') && target.endsWith('>') ? target.slice(1, -1) : target;
}

/** maps an offset in the text to its 1-based line */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** every character of a fenced block (fences included) a space, newlines kept */
function blankFences(text: string): string {
  const lines = text.split('\n');
  let fence: { char: string; length: number } | undefined;
  return lines
    .map((line) => {
      const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (fence) {
        if (m && m[1]?.[0] === fence.char && (m[1]?.length ?? 0) >= fence.length && line.trim() === m[1])
          fence = undefined;
        return ' '.repeat(line.length);
      }
      if (m) {
        fence = { char: m[1]?.[0] ?? '`', length: m[1]?.length ?? 3 };
        return ' '.repeat(line.length);
      }
      return line;
    })
    .join('\n');
}

/**
 * Code spans: a run of n backticks up to the next run of exactly n, within a paragraph
 * (a blank line ends the search; unclosed, the backticks are plain text). Returns the
 * spans and the text with each span blanked, so nothing inside one reads as a link.
 */
function codeSpans(text: string): { blanked: string; spans: { text: string; start: number }[] } {
  const spans: { text: string; start: number }[] = [];
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '`') {
      i++;
      continue;
    }
    let n = 0;
    while (text[i + n] === '`') n++;
    const paragraphEnd = text.slice(i + n).search(/\n[ \t]*\n/);
    const limit = paragraphEnd === -1 ? text.length : i + n + paragraphEnd;
    let close = -1;
    for (let j = i + n; j < limit; j++) {
      if (text[j] !== '`') continue;
      let k = 0;
      while (text[j + k] === '`') k++;
      if (k === n) {
        close = j;
        break;
      }
      j += k - 1;
    }
    if (close === -1) {
      i += n;
      continue;
    }
    spans.push({
      text: text
        .slice(i + n, close)
        .replace(/\n[ \t]*/g, ' ')
        .trim(),
      start: i,
    });
    for (let j = i; j < close + n; j++) if (out[j] !== '\n') out[j] = ' ';
    i = close + n;
  }
  return { blanked: out.join(''), spans };
}
