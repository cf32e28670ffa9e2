/**
 * Judge0's own languages, which are ways to run files rather than languages: 43 Plain
 * Text, 44 Executable, 89 Multi-file program — their names and commands as Judge0 1.13.1
 * lists them, the model's rules for a multi-file program, and the job each becomes here.
 * test/service/judge0.test.ts runs each end to end. No root, no Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeInfo } from '@codebox/protocol';
import {
  activeLanguages,
  checkSubmission,
  filesProblem,
  languageDetail,
  languageRuntimes,
  nativeRequest,
  takesCompilerOptions,
} from './index.js';
import type { Submission } from './index.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const rt = (id: string, version: string, more: Partial<RuntimeInfo> = {}): RuntimeInfo => ({
  id,
  name: id,
  version,
  aliases: [],
  extensions: [],
  sourceFile: `main.${id}`,
  compiled: false,
  ...more,
});
const BASH = rt('bash', '5.2.15', { sourceFile: 'main.sh', extensions: ['.sh'], runCommand: ['bash', 'main.sh'] });
const PROJECT = rt('project', '5.2.15', {
  sourceFile: 'run',
  compiled: true,
  compileCommand: ['bash', '-c', 'if [ -f compile ]; then exec bash compile; fi'],
  runCommand: ['bash', 'run'],
});
const C = rt('c', '12.2.0', { sourceFile: 'main.c', extensions: ['.c'], compiled: true });
const IDS = languageRuntimes([BASH, PROJECT, C]);

test("listed under Judge0's names, on the runtime each runs on; 89 only where the workers have project", () => {
  assert.deepEqual(
    activeLanguages(IDS).filter((l) => [43, 44, 89].includes(l.id)),
    [
      { id: 44, name: 'Executable' },
      { id: 89, name: 'Multi-file program' },
      { id: 43, name: 'Plain Text' },
    ],
  );
  assert.equal(IDS.get(43), BASH);
  assert.equal(IDS.get(89), PROJECT);
  assert.equal(languageRuntimes([BASH]).has(89), false);
});

test("/languages/:id says Judge0's file and command for each, none for a multi-file program", () => {
  assert.deepEqual(languageDetail(43, BASH), {
    id: 43,
    name: 'Plain Text',
    is_archived: false,
    source_file: 'text.txt',
    compile_cmd: null,
    run_cmd: '/bin/cat text.txt',
  });
  assert.deepEqual(languageDetail(44, BASH), {
    id: 44,
    name: 'Executable',
    is_archived: false,
    source_file: 'a.out',
    compile_cmd: null,
    run_cmd: '/bin/chmod +x a.out && ./a.out',
  });
  assert.deepEqual(languageDetail(89, PROJECT), {
    id: 89,
    name: 'Multi-file program',
    is_archived: false,
    source_file: null,
    compile_cmd: null,
    run_cmd: null,
  });
});

test('none takes compiler options (Judge0: they have no compile_cmd), whatever runs them', () => {
  assert.deepEqual(
    [43, 44, 89, 50].map((id) => takesCompilerOptions(id, IDS.get(id) as RuntimeInfo)),
    [false, false, false, true],
  );
});

const check = (body: object) => checkSubmission(body, false, new Set(IDS.keys()), () => undefined);

test("a multi-file program: no source_code, and additional_files, in Judge0's words and order", () => {
  assert.deepEqual(check({ language_id: 89 }), {
    errors: { additional_files: ["can't be blank"] },
  });
  assert.deepEqual(check({ language_id: 89, source_code: 'echo hi', additional_files: b64('zip') }), {
    errors: { source_code: ['must be blank'] },
  });
  assert.deepEqual(check({ language_id: 89, source_code: '\u00a0', additional_files: b64('zip') }), {
    errors: { source_code: ['must be blank'] },
  });
  assert.deepEqual(check({ language_id: 89, additional_files: b64(' \n') }), {
    errors: { additional_files: ["can't be blank"] },
  });
  const ok = check({ language_id: 89, source_code: ' \n', additional_files: b64('zip') });
  assert.ok('submission' in ok, JSON.stringify(ok));
  assert.equal(ok.submission.source_code, b64(' \n'));
  assert.deepEqual(check({ language_id: 43 }), { errors: { source_code: ["can't be blank"] } }, 'the others need one');
});

const submission = (more: Partial<Omit<Submission, 'token'>>): Omit<Submission, 'token'> => {
  const c = check({ language_id: 43, source_code: 'x' });
  assert.ok('submission' in c);
  return { ...c.submission, ...more };
};
const files = (extra: { name: string; content: string }[]) =>
  extra.map((f) => ({ name: f.name, content: Buffer.from(f.content) }));

test('Plain Text: the output is the source, as `cat text.txt` gives it, with the arguments after it as Judge0 has them', () => {
  const r = nativeRequest(
    submission({ language_id: 43, source_code: b64('just text'), command_line_arguments: 'more.txt' }),
    BASH,
    files([{ name: 'more.txt', content: 'm' }]),
  );
  assert.equal(r.language, 'bash');
  assert.deepEqual(r.files, [
    { name: 'main.sh', content: 'exec cat text.txt "$@"\n' },
    { name: 'text.txt', content: b64('just text'), encoding: 'base64' },
    { name: 'more.txt', content: b64('m'), encoding: 'base64' },
  ]);
  assert.deepEqual(r.args, ['more.txt']);
});

test('Executable: the source is the program, made executable and run with the arguments', () => {
  const r = nativeRequest(
    submission({ language_id: 44, source_code: b64('\x7fELF'), command_line_arguments: 'a b' }),
    BASH,
    [],
  );
  assert.deepEqual(r.files, [
    { name: 'main.sh', content: 'chmod +x a.out && exec ./a.out "$@"\n' },
    { name: 'a.out', content: b64('\x7fELF'), encoding: 'base64' },
  ]);
  assert.deepEqual(r.args, ['a', 'b']);
});

test('Multi-file program: the archive is the program, its run script first; no arguments (Judge0 writes no run script of its own)', () => {
  const r = nativeRequest(
    submission({ language_id: 89, source_code: '', command_line_arguments: 'ignored' }),
    PROJECT,
    files([
      { name: 'main.c', content: 'int main;' },
      { name: 'compile', content: 'gcc main.c' },
      { name: 'run', content: './a.out' },
    ]),
  );
  assert.equal(r.language, 'project');
  assert.deepEqual(
    r.files.map((f) => f.name),
    ['run', 'main.c', 'compile'],
  );
  assert.equal('args' in r, false);
});

test("the files a multi-file program's archive must hold: a run script, said under additional_files", () => {
  assert.deepEqual(filesProblem(89, files([{ name: 'compile', content: '' }])), {
    additional_files: ['must hold a run script, run, which is run with bash (and may hold compile, run first)'],
  });
  assert.equal(filesProblem(89, files([{ name: 'run', content: '' }])), undefined);
  assert.equal(filesProblem(43, []), undefined);
});
