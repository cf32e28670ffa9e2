/**
 * How a Piston client's language and version find one of our runtimes: the names Piston's
 * packages answer to (their metadata.json aliases), and the versions Piston's clients
 * name (its package versions: 3.10.0, 18.15.0, 15.0.2, …), which with resolveVersions
 * run the installed version of the language. No root, no Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeInfo } from '@codebox/protocol';
import { findPistonRuntime, pistonRuntimes } from './index.js';

const rt = (id: string, version: string, aliases: string[] = []): RuntimeInfo => ({
  id,
  name: id,
  version,
  aliases,
  extensions: [],
  sourceFile: `main.${id}`,
  compiled: false,
});
/** our languages with the aliases the runtimes give them (packages/runtimes languages.ts) */
const OURS = [
  rt('bash', '5.2.15', ['sh', 'shell']),
  rt('c', '12.2.0', ['gcc']),
  rt('cpp', '12.2.0', ['c++', 'g++', 'cxx']),
  rt('go', '1.19.8', ['golang']),
  rt('java', '17.0.9', ['jdk']),
  rt('javascript', '18.19.0', ['js', 'node', 'nodejs']),
  rt('lua', '5.4.4'),
  rt('php', '8.2.7'),
  rt('python', '3.11.2', ['python3', 'py']),
  rt('ruby', '3.1.2', ['rb']),
  rt('rust', '1.63.0', ['rs', 'rustc']),
  rt('typescript', '4.9.5', ['ts']),
];
const find = (language: string, version = '*', resolveVersions = false): string | undefined =>
  findPistonRuntime(OURS, language, version, resolveVersions)?.id;

test("every name Piston's packages give our languages finds ours", () => {
  const names: Record<string, string[]> = {
    bash: ['bash', 'sh'],
    c: ['c', 'gcc'],
    cpp: ['c++', 'cpp', 'g++'],
    go: ['go', 'golang'],
    java: ['java'],
    javascript: ['javascript', 'node-javascript', 'node-js', 'js'],
    lua: ['lua'],
    php: ['php', 'php8', 'html'],
    python: ['python', 'py', 'py3', 'python3', 'python3.10', 'python3.11', 'python3.12'],
    ruby: ['ruby', 'ruby3', 'rb'],
    rust: ['rust', 'rs'],
    typescript: ['typescript', 'ts', 'node-ts', 'tsc', 'typescript5', 'ts5'],
  };
  for (const [id, list] of Object.entries(names)) for (const name of list) assert.equal(find(name), id, name);
  assert.equal(find('PY3'), 'python', 'as our own names, case aside');
  assert.equal(find('python2'), undefined, "Piston's Python 2 is a language of its own");
  assert.equal(find('deno'), undefined, 'Deno is not our TypeScript');
});

test("the runtime list says Piston's aliases too, each once and never the language's own name", () => {
  const list = pistonRuntimes(OURS);
  assert.deepEqual(list.find((r) => r.language === 'python')?.aliases, [
    'python3',
    'py',
    'py3',
    'python3.10',
    'python3.11',
    'python3.12',
  ]);
  assert.deepEqual(list.find((r) => r.language === 'c++')?.aliases, ['cpp', 'g++', 'cxx']);
  assert.deepEqual(list.find((r) => r.language === 'go')?.aliases, ['golang']);
  for (const r of list) assert.equal(new Set(r.aliases).size, r.aliases.length, r.language);
});

test('as Piston: only *, the installed version or a range it satisfies; another is unknown', () => {
  assert.equal(find('python', '3.11.2'), 'python');
  assert.equal(find('python', '3.x'), 'python');
  assert.equal(find('python', '3.10.0'), undefined);
  assert.equal(find('node-js', '18.15.0'), undefined);
});

test("resolveVersions: the version Piston's package names runs the installed one of that language", () => {
  const asked: [string, string, string][] = [
    ['python', '3.10.0', 'python'],
    ['py3', '3.12.0', 'python'],
    ['python', '3.10.0-alpha.7', 'python'],
    ['node-js', '18.15.0', 'javascript'],
    ['javascript', '20.11.1', 'javascript'],
    ['java', '15.0.2', 'java'],
    ['ts5', '5.0.3', 'typescript'],
    ['typescript5', '5.0.3', 'typescript'],
    ['c++', '10.2.0', 'cpp'],
    ['gcc', '10.2.0', 'c'],
    ['php8', '8.0.2', 'php'],
    ['ruby3', '3.0.1', 'ruby'],
    ['rs', '1.68.2', 'rust'],
    ['go', '1.16.2', 'go'],
    ['lua', '5.4.2', 'lua'],
    ['sh', '5.1.0', 'bash'],
    ['python', '>=4', 'python'],
  ];
  for (const [language, version, id] of asked)
    assert.equal(find(language, version, true), id, `${language} ${version}`);
  assert.equal(find('python', '3.11.2', true), 'python', 'the installed one as asked');
  assert.equal(find('cobol', '3.1', true), undefined, 'a language we do not have is still unknown');
  assert.equal(find('python', 'banana', true), undefined, 'what is no version at all is still unknown');
});

test('runtime is the package that provides the language (metadata.json provides): gcc, node; none for the rest', () => {
  const runtimes = Object.fromEntries(pistonRuntimes(OURS).map((r) => [r.language, r.runtime]));
  assert.deepEqual(runtimes, {
    bash: undefined,
    c: 'gcc',
    'c++': 'gcc',
    go: undefined,
    java: undefined,
    javascript: 'node',
    lua: undefined,
    php: undefined,
    python: undefined,
    ruby: undefined,
    rust: undefined,
    typescript: undefined,
  });
  for (const r of pistonRuntimes(OURS))
    assert.equal('runtime' in r, r.runtime !== undefined, `${r.language}: no key where Piston has none`);
});
