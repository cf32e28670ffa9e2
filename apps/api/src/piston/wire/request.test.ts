/**
 * Piston's execute body into a native request, as the service tests and Piston's own
 * documentation have it (test/service/piston.test.ts pins the same messages end to end):
 * versions, names and aliases, file names and encodings, stdin, limits, and each refusal
 * in Piston's words. No root, no Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestContext, RuntimeInfo } from '@codebox/protocol';
import { findPistonRuntime, pistonPackages, PistonError, pistonRequest, pistonRuntimes } from './index.js';

const rt = (
  id: string,
  version: string,
  aliases: string[],
  sourceFile: string,
  compiled: boolean,
  extensions: string[],
): RuntimeInfo => ({ id, name: id, version, aliases, extensions, sourceFile, compiled });
const PYTHON = rt('python', '3.11.2', ['python3', 'py'], 'main.py', false, ['.py']);
const CPP = rt('cpp', '12.2.0', ['c++', 'g++', 'cxx'], 'main.cpp', true, ['.cpp', '.cc']);
const JS = rt('javascript', '18.19.0', ['js', 'node', 'nodejs'], 'main.js', false, ['.js']);
const MAX = {
  cpuMs: 60_000,
  wallMs: 300_000,
  memoryBytes: 2 ** 32,
  pids: 1024,
  outputBytes: 64 << 20,
  stackBytes: 1 << 30,
  fileSizeBytes: 1 << 30,
};
const CTX: RequestContext = { runtimes: [PYTHON, CPP, JS], maxima: { run: MAX, compile: { ...MAX, wallMs: 120_000 } } };

/** as Piston finds versions; the API's default resolves them (runtimes.test.ts) */
const AS_PISTON = { resolveVersions: false };
const execute = (body: object) => pistonRequest(body, CTX, AS_PISTON);
const py = (more: object = {}) => ({ language: 'python', version: '*', files: [{ content: 'print(1)' }], ...more });

/** the PistonError's message, which the routes send as 400 {message} */
function refused(body: unknown): string {
  try {
    pistonRequest(body, CTX, AS_PISTON);
  } catch (err) {
    assert.ok(err instanceof PistonError, String(err));
    return err.message;
  }
  assert.fail('the request was taken');
}

test("the least request: file0.code, kept as the client's name, stdin a newline, no args, no limits", () => {
  const { request, runtime } = execute(py());
  assert.equal(runtime, PYTHON);
  assert.deepEqual(request, {
    language: 'python',
    files: [{ name: 'file0.code', content: 'print(1)' }],
    keepNames: true,
    stdin: '\n',
    args: [],
  });
});

test("the client's file names are kept (Piston runs its files as named): another file may be main.py", () => {
  const { request } = execute(
    py({
      files: [
        { name: 'solution.py', content: 'import main' },
        { name: 'main.py', content: '' },
      ],
    }),
  );
  assert.equal(request.keepNames, true);
  assert.deepEqual(
    request.files.map((f) => f.name),
    ['solution.py', 'main.py'],
  );
  assert.match(
    refused(
      py({
        files: [
          { name: 'main.py', content: '' },
          { name: 'main.py', content: '' },
        ],
      }),
    ),
    /main\.py is there twice/,
    'the entry itself still cannot be there twice',
  );
});

test("a compiled language's entry without one of its extensions goes under the runtime's name, as Piston's compile scripts add it", () => {
  const cpp = (files: object[]) => execute({ language: 'c++', version: '*', files }).request.files;
  assert.equal(cpp([{ content: '' }])[0]?.name, 'main.cpp', 'not file0.code');
  assert.equal(cpp([{ name: 'prog', content: '' }])[0]?.name, 'main.cpp');
  assert.equal(cpp([{ name: 'prog.cc', content: '' }])[0]?.name, 'prog.cc');
  assert.equal(execute(py({ files: [{ name: 'prog', content: '' }] })).request.files[0]?.name, 'prog');
});

test("versions: *, exact, a semver range; another is unknown in Piston's words", () => {
  for (const version of ['*', '3.11.2', '3', '3.x', '>=3.10', '^3.11.0'])
    assert.equal(execute(py({ version })).runtime, PYTHON, version);
  assert.equal(refused(py({ version: '2.7.18' })), 'python-2.7.18 runtime is unknown');
  assert.equal(refused(py({ version: '>=4' })), 'python->=4 runtime is unknown');
  assert.equal(findPistonRuntime(CTX.runtimes, 'python', '3.11', false), PYTHON, '3.11 is a range (3.11.x)');
  assert.equal(findPistonRuntime(CTX.runtimes, 'python', '3.12', false), undefined);
  assert.equal(findPistonRuntime(CTX.runtimes, 'c++', '12', false), CPP, "a compiler's version, coerced");
});

test('resolveVersions: a version that is not installed runs the installed one, and the request names ours', () => {
  const { request, runtime } = pistonRequest(
    { language: 'node-js', version: '18.15.0', files: [{ content: '' }] },
    CTX,
    { resolveVersions: true },
  );
  assert.deepEqual([request.language, runtime], ['javascript', JS]);
  assert.equal('version' in request, false, 'no version for the native checks to refuse');
  assert.throws(
    () => pistonRequest(py({ version: 'banana' }), CTX, { resolveVersions: true }),
    (err: unknown) => err instanceof PistonError && err.message === 'python-banana runtime is unknown',
  );
});

test("names: Piston's (c++), ours, and aliases; the request names our id", () => {
  assert.equal(execute({ language: 'c++', version: '*', files: [{ content: '' }] }).request.language, 'cpp');
  assert.equal(execute({ language: 'cpp', version: '*', files: [{ content: '' }] }).runtime, CPP);
  assert.equal(execute({ language: 'py', version: '*', files: [{ content: '' }] }).runtime, PYTHON);
  assert.equal(execute({ language: 'node', version: '18', files: [{ content: '' }] }).request.language, 'javascript');
  assert.equal(refused({ language: 'cobol', version: '*', files: [{ content: '' }] }), 'cobol-* runtime is unknown');
});

test('files: names kept or file{i}.code, hex decoded into base64, base64 kept', () => {
  const hex = Buffer.from('data').toString('hex');
  const { request } = execute(
    py({
      files: [
        { content: 'print(1)' },
        { name: 'lib.py', content: 'x = 1' },
        { content: hex, encoding: 'hex' },
        { name: 'b.bin', content: 'AAE=', encoding: 'base64' },
      ],
    }),
  );
  assert.deepEqual(request.files, [
    { name: 'file0.code', content: 'print(1)' },
    { name: 'lib.py', content: 'x = 1' },
    { name: 'file2.code', content: Buffer.from('data').toString('base64'), encoding: 'base64' },
    { name: 'b.bin', content: 'AAE=', encoding: 'base64' },
  ]);
  assert.equal(
    execute(py({ files: [{ name: '', content: '' }] })).request.files[0]?.name,
    'file0.code',
    'an empty name is none',
  );
  assert.equal(
    execute(
      py({
        files: [
          { content: '', encoding: 'utf8' },
          { content: '00', encoding: 'hex' },
        ],
      }),
    ).request.files.length,
    2,
  );
});

test('the entry is the first code file, as Piston runs code_files[0]: base64 and hex files are data', () => {
  const names = (files: object[]) => execute(py({ files })).request.files.map((f) => f.name);
  assert.deepEqual(
    names([
      { name: 'data.bin', content: 'AAE=', encoding: 'base64' },
      { name: 'main.py', content: 'print(open("data.bin", "rb").read())' },
    ]),
    ['main.py', 'data.bin'],
  );
  assert.deepEqual(
    names([{ content: '00', encoding: 'hex' }, { content: '' }, { name: 'lib.py', content: '' }]),
    ['file1.code', 'file0.code', 'lib.py'],
    'each keeps the name of its place in the request',
  );
  assert.deepEqual(
    names([
      { name: 'a.bin', content: 'AAE=', encoding: 'base64' },
      { name: 'x.py', content: '', encoding: 'latin1' },
      { name: 'main.py', content: '', encoding: 'utf8' },
    ]),
    ['x.py', 'a.bin', 'main.py'],
    'an encoding Piston does not know is utf8 to it',
  );
  const cpp = execute({
    language: 'c++',
    version: '*',
    files: [
      { name: 'in.bin', content: 'AAE=', encoding: 'base64' },
      { name: 'prog', content: 'int main() {}' },
    ],
  });
  assert.deepEqual(
    cpp.request.files.map((f) => f.name),
    ['main.cpp', 'in.bin'],
    "a compiled entry without one of the language's extensions still goes under the runtime's name",
  );
});

test('stdin ends with a newline, added only when missing; args are strings', () => {
  assert.equal(execute(py({ stdin: 'no newline' })).request.stdin, 'no newline\n');
  assert.equal(execute(py({ stdin: 'one\n' })).request.stdin, 'one\n');
  assert.equal(execute(py({ stdin: 42 })).request.stdin, '\n', 'not a string: none');
  assert.deepEqual(execute(py({ args: ['a', 1, true] })).request.args, ['a', '1', 'true']);
  assert.deepEqual(execute(py({ args: 'a b' })).request.args, [], 'not an array: none');
});

test('limits: ms and bytes per stage; 0 or absent the default, -1 the maximum, fractions rounded up', () => {
  const { request } = execute(
    py({
      run_timeout: 3000,
      run_cpu_time: 1500.2,
      run_memory_limit: -1,
      compile_timeout: -1,
      compile_cpu_time: 0,
      compile_memory_limit: 1 << 28,
    }),
  );
  assert.deepEqual(request.limits, { wallMs: 3000, cpuMs: 1501, memoryBytes: 2 ** 32 });
  assert.deepEqual(request.compileLimits, { wallMs: 120_000, memoryBytes: 1 << 28 });
  const none = execute(py({ run_timeout: 0, compile_memory_limit: null }));
  assert.equal('limits' in none.request, false);
  assert.equal('compileLimits' in none.request, false);
});

test("limit refusals in Piston's words, compile_timeout first, each constraint compile then run", () => {
  assert.equal(refused(py({ run_timeout: 10 ** 9 })), 'run_timeout cannot exceed the configured limit of 300000');
  assert.equal(
    refused(py({ compile_timeout: 120_001 })),
    'compile_timeout cannot exceed the configured limit of 120000',
  );
  assert.equal(refused(py({ run_cpu_time: '1s' })), 'If specified, run_cpu_time must be a number');
  assert.equal(refused(py({ compile_memory_limit: -5 })), 'compile_memory_limit must be non-negative');
  assert.equal(
    refused(py({ run_timeout: -2, compile_cpu_time: 'x' })),
    'run_timeout must be non-negative',
    'timeouts before cpu times',
  );
  assert.equal(refused(py({ run_timeout: -2, compile_timeout: -2 })), 'compile_timeout must be non-negative');
});

test("shape refusals in Piston's words, in its order", () => {
  for (const body of [null, [], 'x', 3])
    assert.equal(refused(body), 'the body must be a JSON object', JSON.stringify(body));
  assert.equal(refused({ version: '*', files: [] }), 'language is required as a string');
  assert.equal(refused({ language: 3, version: '*', files: [] }), 'language is required as a string');
  assert.equal(refused({ language: 'python', files: [{ content: '' }] }), 'version is required as a string');
  assert.equal(refused({ language: 'python', version: '*', files: {} }), 'files is required as an array');
  assert.equal(
    refused({ language: 'python', version: '*', files: [{ content: '' }, { name: 'x' }] }),
    'files[1].content is required as a string',
  );
  assert.equal(
    refused({ language: 'python', version: '*', files: [null] }),
    'files[0].content is required as a string',
  );
  assert.equal(
    refused({ language: 'cobol', version: '*', files: [{ name: 'x' }] }),
    'files[0].content is required as a string',
    'the files before the runtime',
  );
  assert.equal(
    refused(py({ files: [{ content: '00', encoding: 'hex' }] })),
    'files must include at least one utf8 encoded file',
  );
  assert.equal(
    refused({ language: 'cobol', version: '*', files: [{ content: '00', encoding: 'hex' }] }),
    'cobol-* runtime is unknown',
    'the runtime before the encodings',
  );
});

test('the native checks still apply, refused as Piston refuses (400 {message})', () => {
  assert.match(
    refused(py({ files: [{ content: '' }, { name: 'a.py', content: '' }, { name: 'a.py', content: '' }] })),
    /a\.py is there twice/,
  );
  assert.match(
    refused(py({ files: [{ content: '' }, { name: '-rf', content: '' }] })),
    /must not|no part may start with "-"/,
  );
  assert.match(
    refused(py({ files: [{ content: '' }, { name: 'b.bin', content: '!!', encoding: 'base64' }] })),
    /files\[1\]\.content.*not valid base64/,
  );
});

test("the runtime list: Piston's names, our id and Piston's aliases among the aliases, the providing package", () => {
  assert.deepEqual(pistonRuntimes([PYTHON, CPP, JS]), [
    {
      language: 'python',
      version: '3.11.2',
      aliases: ['python3', 'py', 'py3', 'python3.10', 'python3.11', 'python3.12'],
    },
    { language: 'c++', version: '12.2.0', aliases: ['cpp', 'g++', 'cxx'], runtime: 'gcc' },
    {
      language: 'javascript',
      version: '18.19.0',
      aliases: ['js', 'node', 'nodejs', 'node-javascript', 'node-js'],
      runtime: 'node',
    },
  ]);
});

test("ppman list: the installed runtimes as Piston's packages (gcc for C and C++, node for JavaScript), each once", () => {
  const C = rt('c', '12.2.0', ['gcc'], 'main.c', true, ['.c']);
  assert.deepEqual(pistonPackages([PYTHON, CPP, C, JS]), [
    { language: 'python', language_version: '3.11.2', installed: true },
    { language: 'gcc', language_version: '12.2.0', installed: true },
    { language: 'node', language_version: '18.19.0', installed: true },
  ]);
});
