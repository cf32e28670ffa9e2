/**
 * command_line_arguments and compiler_options split into words as Judge0's bash splits
 * its run script (each case checked against bash itself, `printf '[%s]' <text>`), and
 * what bash refuses. No root, no shell.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shellWords } from './shell-words.js';

const words = (text: string): string[] => {
  const r = shellWords(text);
  assert.ok('words' in r, `${text}: ${JSON.stringify(r)}`);
  return r.words;
};

test('blanks part words; quotes and backslashes group them', () => {
  const cases: [string, string[]][] = [
    ['"hello world" x', ['hello world', 'x']],
    ["a 'b c' d", ['a', 'b c', 'd']],
    ['a\\ b', ['a b']],
    ['x"y"z', ['xyz']],
    ['\'it\'"s"', ['its']],
    ['  lead \t trail  ', ['lead', 'trail']],
    ["a '' b", ['a', '', 'b']],
    ['""', ['']],
    ['', []],
  ];
  for (const [text, expected] of cases) assert.deepEqual(words(text), expected, text);
});

test('escapes: in double quotes only \\" \\\\ and \\<newline>; none in single quotes; outside, any character', () => {
  assert.deepEqual(words('"a\\"b" "a\\\\b" "a\\nb" "a\\\nb"'), ['a"b', 'a\\b', 'a\\nb', 'ab']);
  assert.deepEqual(words("'a\\b' 'a\"b' \"a'b\""), ['a\\b', 'a"b', "a'b"]);
  assert.deepEqual(words('\\\\ \\# \\"'), ['\\', '#', '"']);
  assert.deepEqual(words('a\\\nb'), ['ab'], 'a line continued');
  assert.deepEqual(words('a\\'), ['a'], 'a backslash at the end is gone');
  assert.deepEqual(words('"x\ny"'), ['x\ny']);
});

test('$ & ; < > | ` are removed first, as Judge0 does: nothing is substituted or redirected', () => {
  assert.deepEqual(words('a;b&c|d<e>f "$HOME" `id`'), ['abcdef', 'HOME', 'id']);
});

test('# at the start of a word is a comment to the end of the line; inside a word it is a character', () => {
  assert.deepEqual(words('a#b #c d'), ['a#b']);
  assert.deepEqual(words("''#x"), ['#x']);
});

test('what bash refuses: an unmatched quote, an unquoted parenthesis', () => {
  assert.deepEqual(shellWords('a "b'), {
    error: 'has an unmatched " (Judge0\'s bash fails: unexpected EOF while looking for matching `"\')',
  });
  assert.deepEqual(shellWords("'"), {
    error: "has an unmatched ' (Judge0's bash fails: unexpected EOF while looking for matching `'')",
  });
  assert.ok('error' in shellWords('"\\"'), 'an escaped quote does not close');
  assert.deepEqual(shellWords('a)b'), {
    error: "has an unquoted ) (Judge0's bash fails: syntax error near unexpected token `)')",
  });
  assert.deepEqual(words('"(x)" \'(y)\' \\(z'), ['(x)', '(y)', '(z']);
});
