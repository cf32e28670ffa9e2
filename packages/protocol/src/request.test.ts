import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './errors.js';
import { checkJobRequest, versionMatches } from './request.js';
import type { RequestContext } from './request.js';

const MAX = {
  cpuMs: 60_000,
  wallMs: 300_000,
  memoryBytes: 4 << 30,
  pids: 1024,
  outputBytes: 64 << 20,
  stackBytes: 1 << 30,
  fileSizeBytes: 1 << 30,
};
const ctx: RequestContext = {
  runtimes: [
    {
      id: 'python',
      name: 'Python 3',
      version: '3.11.2',
      aliases: ['python3', 'py'],
      extensions: ['.py'],
      sourceFile: 'main.py',
      compiled: false,
    },
  ],
  maxima: { run: MAX, compile: MAX },
};

function fails(body: unknown, code: string, field?: string): void {
  assert.throws(
    () => checkJobRequest(body, ctx),
    (e: ApiError) => {
      assert.ok(e instanceof ApiError, String(e));
      assert.equal(e.code, code, e.message);
      if (field !== undefined) assert.equal(e.details?.field, field, e.message);
      return true;
    },
  );
}

test('a good request comes back with its runtime, found by alias', () => {
  const r = checkJobRequest(
    {
      language: 'Py',
      version: '3.11',
      files: [{ content: 'print(1)' }, { name: 'lib/x.py', content: 'eA==', encoding: 'base64' }],
    },
    ctx,
  );
  assert.equal(r.runtime.id, 'python');
});

test('each mistake names its field', () => {
  fails(null, 'INVALID_REQUEST', 'body');
  fails([], 'INVALID_REQUEST', 'body');
  fails({ files: [{ content: '' }] }, 'INVALID_REQUEST', 'language');
  fails({ language: 'python', files: [{}] }, 'INVALID_REQUEST', 'files[0].content');
  fails({ language: 'python', files: [{ content: 1 }] }, 'INVALID_REQUEST', 'files[0].content');
  fails({ language: 'python', files: [{ content: '' }], args: ['a', 2] }, 'INVALID_REQUEST', 'args[1]');
  fails({ language: 'python', files: [{ content: '' }], args: ['a\u0000'] }, 'INVALID_REQUEST', 'args[0]');
  fails({ language: 'python', files: [{ content: '' }, { content: '' }] }, 'INVALID_REQUEST', 'files[1].name');
  fails(
    { language: 'python', files: [{ content: '' }, { name: 'a', content: '' }, { name: 'a', content: '' }] },
    'INVALID_REQUEST',
    'files[2].name',
  );
  fails({ language: 'python', files: [{ name: '/etc/passwd', content: '' }] }, 'INVALID_REQUEST', 'files[0].name');
  fails(
    {
      language: 'python',
      files: [
        { name: 'prog.py', content: '' },
        { name: 'main.py', content: '' },
      ],
    },
    'INVALID_REQUEST',
    'files[1].name',
  );
  fails({ language: 'python', files: [{ content: '' }], network: 'yes' }, 'INVALID_REQUEST', 'network');
  fails({ language: 'python', files: [{ content: '' }], limits: { cpus: 2 } }, 'INVALID_REQUEST', 'limits.cpus');
  fails({ language: 'python', files: [{ content: '' }], limits: { pids: 1 } }, 'INVALID_REQUEST', 'limits.pids');
  fails({ language: 'python', files: [{ content: 'abc', encoding: 'base64' }] }, 'INVALID_REQUEST', 'files[0].content');
  fails({ language: 'go', files: [{ content: '' }] }, 'UNKNOWN_LANGUAGE', 'language');
  fails({ language: 'python', version: '2', files: [{ content: '' }] }, 'UNKNOWN_VERSION', 'version');
  fails(
    { language: 'python', files: [{ content: '' }], limits: { wallMs: 300_001 } },
    'LIMIT_TOO_HIGH',
    'limits.wallMs',
  );
});

test('versions: *, exact, or a prefix at a dot', () => {
  assert.ok(versionMatches('*', '3.11.2'));
  assert.ok(versionMatches('3', '3.11.2'));
  assert.ok(versionMatches('3.11', '3.11.2'));
  assert.ok(versionMatches('3.11.2', '3.11.2'));
  assert.ok(!versionMatches('3.1', '3.11.2'));
  assert.ok(!versionMatches('3.11.20', '3.11.2'));
});
