import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './errors.js';
import { checkCommandRequest, checkSessionRequest, workspacePathProblem } from './session-request.js';
import type { SessionPolicy } from './session.js';

const limits = {
  memoryBytes: 512 << 20,
  pids: 128,
  cpus: 1,
  workDirBytes: 256 << 20,
  tmpBytes: 64 << 20,
  outputBytes: 1 << 20,
  fileSizeBytes: 64 << 20,
  openFiles: 256,
  stackBytes: 8 << 20,
};
const policy: SessionPolicy = {
  limits: { defaults: limits, maxima: { ...limits, memoryBytes: 1 << 30 } },
  idleTimeoutS: { default: 300, maximum: 3600 },
  ttlS: { default: 3600, maximum: 14400 },
  commandTimeoutMs: { default: 60_000, maximum: 3_600_000 },
  fileBytes: 32 << 20,
  processes: 16,
  terminals: 4,
  backgroundOutputBytes: 1 << 20,
};
const runtimes = [
  {
    id: 'cpp',
    name: 'C++',
    version: '12',
    aliases: ['c++'],
    extensions: ['.cpp'],
    sourceFile: 'main.cpp',
    compiled: true,
  },
];

function fails(fn: () => unknown, code: string, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.details?.field, field, err.message);
    return true;
  });
}

test('a session request gets every default, and its language by alias', () => {
  const s = checkSessionRequest({ language: 'c++' }, { runtimes, policy });
  assert.equal(s.runtime?.id, 'cpp');
  assert.deepEqual(s.limits, limits);
  assert.equal(s.idleTimeoutS, 300);
  assert.equal(s.ttlS, 3600);
});

test('a session request over a maximum names the field and the maximum', () => {
  fails(() => checkSessionRequest({ ttlS: 20_000 }, { runtimes, policy }), 'LIMIT_TOO_HIGH', 'ttlS');
  fails(
    () => checkSessionRequest({ limits: { memoryBytes: 2 ** 31 } }, { runtimes, policy }),
    'LIMIT_TOO_HIGH',
    'limits.memoryBytes',
  );
  fails(() => checkSessionRequest({ limits: { cpuMs: 1 } }, { runtimes, policy }), 'INVALID_REQUEST', 'limits.cpuMs');
  fails(() => checkSessionRequest({ language: 'cobol' }, { runtimes, policy }), 'UNKNOWN_LANGUAGE', 'language');
  // under the engine's least share: refused here, not by the worker after a slot was taken
  fails(() => checkSessionRequest({ limits: { cpus: 0.001 } }, { runtimes, policy }), 'INVALID_REQUEST', 'limits.cpus');
});

test("a session's files are named by plain relative paths, once each, and fit the workspace", () => {
  fails(
    () => checkSessionRequest({ files: [{ content: 'x' }] }, { runtimes, policy }),
    'INVALID_REQUEST',
    'files[0].name',
  );
  fails(
    () => checkSessionRequest({ files: [{ name: '../x', content: 'x' }] }, { runtimes, policy }),
    'FILE_PATH_INVALID',
    'files[0].name',
  );
  fails(
    () =>
      checkSessionRequest(
        {
          files: [
            { name: 'a', content: 'x' },
            { name: 'a', content: 'y' },
          ],
        },
        { runtimes, policy },
      ),
    'INVALID_REQUEST',
    'files[1].name',
  );
  const tiny = { limits: { workDirBytes: 65536 }, files: [{ name: 'big', content: 'x'.repeat(70_000) }] };
  fails(() => checkSessionRequest(tiny, { runtimes, policy }), 'WORKSPACE_FULL', 'files');
});

test('a command is exactly one of command, argv and run', () => {
  assert.equal(checkCommandRequest({ command: 'ls' }, policy).command, 'ls');
  fails(() => checkCommandRequest({}, policy), 'INVALID_REQUEST', 'command');
  fails(() => checkCommandRequest({ command: 'ls', argv: ['ls'] }, policy), 'INVALID_REQUEST', 'argv');
  fails(() => checkCommandRequest({ argv: ['ls'], args: ['-l'] }, policy), 'INVALID_REQUEST', 'args');
  fails(() => checkCommandRequest({ run: '/etc/passwd' }, policy), 'FILE_PATH_INVALID', 'run');
  fails(() => checkCommandRequest({ command: 'ls', cwd: 'a/../..' }, policy), 'FILE_PATH_INVALID', 'cwd');
  fails(() => checkCommandRequest({ command: 'x', timeoutMs: 4_000_000 }, policy), 'LIMIT_TOO_HIGH', 'timeoutMs');
  fails(
    () => checkCommandRequest({ command: 'cat', background: true, stdin: 'x' }, policy),
    'INVALID_REQUEST',
    'stdin',
  );
  fails(() => checkCommandRequest({ command: 'x', env: { 'A-B': '1' } }, policy), 'INVALID_REQUEST', 'env');
});

test('workspace paths: relative, plain names, no NUL, names of at most 255 bytes', () => {
  assert.equal(workspacePathProblem('src/main.cpp'), undefined);
  assert.equal(workspacePathProblem('.hidden/x'), undefined);
  for (const bad of ['', '/etc/passwd', 'a//b', 'a/./b', '../x', 'a/..', 'a\0b', `${'n'.repeat(256)}`, 'ü'.repeat(128)])
    assert.ok(workspacePathProblem(bad), JSON.stringify(bad));
});
