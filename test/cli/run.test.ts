/** `codebox run` and `codebox runtimes` as a user runs them: the built CLI, real boxes. */
import assert from 'node:assert/strict';
import type { ResultJson } from '@codebox/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { boxSkip } from '../support.js';
import { codebox } from './cli.js';

let dir = '';
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-cli-run-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('codebox run: usage errors are one line and exit 2', () => {
  const cases: [() => string[], RegExp][] = [
    [() => ['run'], /^codebox: no file given/],
    [
      () => ['run', file('x.cobol', 'x')],
      /^codebox: cannot tell the language of .*x\.cobol from its extension: use --lang \(known: [a-z, ]*python, /,
    ],
    [() => ['run', '--lang', 'cobol', file('y.py', 'x')], /^codebox: --lang: unknown language "cobol" \(known: /],
    [() => ['run', path.join(dir, 'missing.py')], /^codebox: cannot read .*missing\.py: ENOENT/],
    [() => ['run', file('z.py', ''), '--stdin', path.join(dir, 'nope')], /^codebox: cannot read .*nope: ENOENT/],
    [() => ['run', file('a.py', ''), '--time', 'soon'], /^codebox: --time: "soon" is not a duration/],
    [
      () => ['run', file('b.c', ''), '--compile-mem', '99g'],
      /^codebox: compileLimits\.memoryBytes: .* over the maximum 4294967296/,
    ],
    [() => ['run', file('c.py', ''), file('d.py', '')], /^codebox: one file only/],
    [
      () => ['run', '--rootfs', 'image', file('e.py', '')],
      /^codebox: the image root is not built at \/nonexistent-codebox-data\/rootfs\/bookworm: run npm run rootfs/,
    ],
    [() => ['runtimes', '--verbose'], /^codebox: unknown argument --verbose/],
  ];
  for (const [args, message] of cases) {
    test(message.source.slice(1, 60), () => {
      const r = codebox(args(), '', { CODEBOX_DATA_DIR: '/nonexistent-codebox-data' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
      assert.equal(r.stdout, '');
    });
  }
});

describe('codebox run', { skip: boxSkip() }, () => {
  test('compiles and runs C++ from its extension, with stdin and arguments, exit code passed through', () => {
    const src = file(
      'hello.cpp',
      '#include <iostream>\nint main(int argc, char** argv) { std::string s; std::cin >> s; std::cout << "hi " << s << " " << argv[1] << std::endl; return 4; }\n',
    );
    const r = codebox(['run', src, '--', 'first', 'second'], 'world\n');
    assert.equal(r.stdout, 'hi world first\n');
    assert.equal(r.code, 4, r.stderr);
  });

  test('--json: the exec JSON plus compile', () => {
    const src = file(
      'sum.c',
      '#include <stdio.h>\nint main(void) { int a, b; scanf("%d %d", &a, &b); printf("%d\\n", a + b); return 0; }\n',
    );
    const input = file('input.txt', '2 40\n');
    const r = codebox(['run', '--json', '--stdin', input, src]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as ResultJson;
    assert.equal(j.status, 'OK');
    assert.equal(j.stdout, '42\n');
    assert.ok(j.compile, 'a compile step');
    assert.deepEqual(Object.keys(j.compile).sort(), [
      'cpuMs',
      'exitCode',
      'memoryBytes',
      'signal',
      'status',
      'stderr',
      'stderrEncoding',
      'stdout',
      'stdoutEncoding',
      'wallMs',
    ]);
    assert.equal(j.compile.status, 'OK');
    assert.ok(j.compile.cpuMs > 0 && j.compile.memoryBytes > 0);
  });

  test("--json: a failed compile is COMPILE_ERROR at the top with the compiler's output under compile", () => {
    const r = codebox(['run', '--json', file('broken.rs', 'fn main() { let x: i32 = "no"; }\n')]);
    const j = JSON.parse(r.stdout) as ResultJson;
    assert.equal(j.status, 'COMPILE_ERROR');
    assert.ok(j.compile, 'a compile step');
    assert.equal(j.compile.status, 'RUNTIME_ERROR');
    assert.match(j.compile.stderr, /mismatched types/);
    assert.deepEqual([j.exitCode, j.stdout, j.cpuMs], [null, '', 0]);
  });

  test("without --json a compile error prints the compiler's messages and exits 1", () => {
    const r = codebox(['run', file('Bad.java', 'public class Main { void f() { return 1; } }\n')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Main\.java:1: error/);
    assert.match(r.stderr, /codebox: COMPILE_ERROR\n$/);
  });

  test('interpreted: python with --lang on an odd file name, and a runtime error', () => {
    const r = codebox([
      'run',
      '--lang',
      'py',
      file('script.txt', 'import sys\nprint(sys.argv[1:])\nraise SystemExit(7)\n'),
      '--',
      'x',
    ]);
    assert.equal(r.stdout, "['x']\n");
    assert.equal(r.code, 7);
    const j = JSON.parse(codebox(['run', '--json', file('t.py', 'print(1)')]).stdout) as ResultJson;
    assert.deepEqual([j.status, j.stdout], ['OK', '1\n'], 'it ran');
    assert.equal(j.compile, undefined, 'no compile step, no compile field');
  });

  test('limits apply to the run step: a CPU-burning program is TIME_LIMIT', () => {
    const j = JSON.parse(
      codebox(['run', '--json', '--time', '300ms', file('spin.js', 'for(;;){}')]).stdout,
    ) as ResultJson;
    assert.equal(j.status, 'TIME_LIMIT');
  });

  test('codebox runtimes lists the languages with versions', () => {
    const r = codebox(['runtimes', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { rootfs: string; runtimes: { id: string; version: string }[] };
    assert.ok(['host', 'image'].includes(j.rootfs));
    const python = j.runtimes.find((x) => x.id === 'python');
    assert.match(python?.version ?? '', /^3\.\d+\.\d+$/);
    const table = codebox(['runtimes']);
    assert.match(table.stdout, /^root: (host|image)\nLANGUAGE +VERSION +COMPILED +ALIASES +NAME\n/);
    assert.match(table.stdout, /\ncpp +\d+\.\d+\.\d+ +yes +c\+\+,g\+\+,cxx +C\+\+ \(GCC\)\n/);
  });
});
