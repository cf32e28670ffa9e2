/**
 * The editor's languages (apps/web/src/languages.ts) against the runtimes' table: every
 * language codebox has gets its own grammar and hello world, each grammar loads, and a
 * runtime not listed borrows a kin's (Judge0's multi-file project, run by bash, reads as
 * bash).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeInfo } from '@codebox/protocol';
import { COMPILE_DEFAULTS, LANGUAGES } from '@codebox/runtimes';
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

/** each runtime as a worker offers it (apps/worker's runtimeInfo: the run command for its usual entry) */
const LIVE = LANGUAGES.map((rt) =>
  info(
    rt.id,
    [...rt.extensions],
    [...rt.run({ limits: COMPILE_DEFAULTS, entry: rt.sourceFile, sources: [rt.sourceFile] })],
  ),
);

test('every runtime gets a grammar that loads and a hello world; each listed one is a runtime', async () => {
  for (const rt of LIVE) {
    const support = supportFor(rt, LIVE);
    assert.ok(support, `${rt.id} has no grammar of its own or a kin's`);
    assert.ok(await support.highlight(), rt.id);
    assert.match(support.hello, /Hello, world!/, rt.id);
  }
  for (const id of Object.keys(SUPPORT))
    assert.ok(
      LIVE.some((rt) => rt.id === id),
      `${id} is no runtime`,
    );
});

test('a runtime not listed borrows the grammar of a kin: by extension, then by the program that runs it', () => {
  const live = [info('bash', ['.sh', '.bash'], ['bash', 'main.sh']), info('python', ['.py'], ['python3', 'main.py'])];
  assert.equal(supportFor(info('project', [], ['bash', 'run']), live), SUPPORT.bash);
  assert.equal(supportFor(info('pypy', ['.py'], ['pypy3', 'main.py']), live), SUPPORT.python);
  assert.equal(supportFor(info('cobol', ['.cob'], ['cobc', 'main.cob']), live), undefined);
});
