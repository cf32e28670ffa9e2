/**
 * command_line_arguments and compiler_options as Judge0's bash splits them. Judge0
 * (isolate_job.rb) strips the text, removes $ & ; < > | ` and writes it into a script
 * after the run (or compile) command, which bash runs: so quotes and backslashes group
 * words, and with $ and ` gone nothing is substituted. Here the same words, never a shell:
 *
 * - blanks (space, tab, newline) part words;
 * - '...' keeps everything up to the next ', a backslash too;
 * - "..." keeps everything, but \" \\ and \<newline> (gone) are escapes;
 * - \ outside quotes keeps the next character; \<newline>, or \ at the end, is gone;
 * - # at the start of a word begins a comment, to the end of the line.
 *
 * What bash would refuse — an unmatched quote ("unexpected EOF while looking for
 * matching"), an unquoted ( or ) ("syntax error near unexpected token") — fails Judge0's
 * run (exit 2, Runtime Error) or its compile (Compilation Error) after the submission is
 * taken. Here it is a 422 naming the field before any job is made: the program could not
 * have run with those arguments either way, and the client learns why at once.
 *
 * Not done: bash would also expand ~, {a,b} and globs that match a file in the box (*.py);
 * they stay as written. A newline outside quotes ends bash's command (the next line is a
 * command of its own); here it parts words like a space.
 */

export type ShellWords = { words: string[] } | { error: string };

const REMOVED = /[$&;<>|`]/g;
const BLANKS = new Set([' ', '\t', '\n']);

/** the words, or what bash would fail on (the message is the 422's) */
export function shellWords(text: string): ShellWords {
  const s = text.replace(/^[\s\0]+|[\s\0]+$/g, '').replace(REMOVED, '');
  const words: string[] = [];
  let word: string | null = null; // null: between words
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (BLANKS.has(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === '#' && word === null) {
      const end = s.indexOf('\n', i);
      i = end === -1 ? s.length : end;
    } else if (c === '(' || c === ')') {
      return { error: `has an unquoted ${c} (Judge0's bash fails: syntax error near unexpected token \`${c}')` };
    } else if (c === "'" || c === '"') {
      const quoted = c === "'" ? singleQuoted(s, i + 1) : doubleQuoted(s, i + 1);
      if (!quoted)
        return {
          error: `has an unmatched ${c} (Judge0's bash fails: unexpected EOF while looking for matching \`${c}')`,
        };
      word = (word ?? '') + quoted.text;
      i = quoted.end;
    } else if (c === '\\') {
      const next = s.charAt(i + 1);
      if (next !== '' && next !== '\n') word = (word ?? '') + next;
      i++;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return { words };
}

/** from just after an opening ': the text up to the closing one, and its index; none unmatched */
function singleQuoted(s: string, from: number): { text: string; end: number } | undefined {
  const end = s.indexOf("'", from);
  return end === -1 ? undefined : { text: s.slice(from, end), end };
}

/** from just after an opening ": the text with its escapes read, up to the closing one */
function doubleQuoted(s: string, from: number): { text: string; end: number } | undefined {
  let text = '';
  for (let i = from; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '"') return { text, end: i };
    if (c !== '\\') {
      text += c;
      continue;
    }
    const next = s.charAt(i + 1);
    if (next === '"' || next === '\\') text += next;
    else if (next !== '\n') text += c + next; // another \ stays, as the character after it
    i++;
  }
  return undefined;
}
