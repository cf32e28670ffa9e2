/**
 * The editor's languages (apps/web/src/languages.ts) against the runtimes' table: every
 * language codebox has gets its own grammar and hello world, each grammar loads, and a
 * runtime not listed borrows a kin's (Judge0's multi-file project, run by bash, reads as
 * bash).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeInfo } from '@codebox/protocol';
import { LANGUAGES } from '@codebox/runtimes';
import { SUPPORT, supportFor } from '../../apps/web/src/languages.js';

const info = (id: string, extensions: string[], runCommand: string[]): RuntimeInfo => ({
  id,
  name: id,
  version: '1',
  aliases: [],
  extensions,
  sourceFile: `main${extensions[0] ?? ''}`,
  compiled: false,
  runCommand,
});

test('every runtime has a grammar that loads and a hello world', async () => {
  assert.deepEqual(Object.keys(SUPPORT).sort(), LANGUAGES.map((rt) => rt.id).sort());
  for (const [id, support] of Object.entries(SUPPORT)) {
    assert.ok(await support.highlight(), id);
    assert.match(support.hello, /Hello, world!/, id);
  }
});

test('a runtime not listed borrows the grammar of a kin: by extension, then by the program that runs it', () => {
  const live = [info('bash', ['.sh', '.bash'], ['bash', 'main.sh']), info('python', ['.py'], ['python3', 'main.py'])];
  assert.equal(supportFor(info('project', [], ['bash', 'run']), live), SUPPORT.bash);
  assert.equal(supportFor(info('pypy', ['.py'], ['pypy3', 'main.py']), live), SUPPORT.python);
  assert.equal(supportFor(info('cobol', ['.cob'], ['cobc', 'main.cob']), live), undefined);
});
