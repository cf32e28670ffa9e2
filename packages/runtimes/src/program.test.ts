import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_POLICY, LimitError } from '@codebox/sandbox';
import { LANGUAGES } from './languages.js';
import { COMPILE_POLICY, stepLimits } from './limits.js';
import { entryName } from '@codebox/protocol';
import { operand, prepare } from './program.js';
import { Registry } from './registry.js';
import type { Runtime } from './runtime.js';

const lang = (id: string): Runtime => LANGUAGES.find((rt) => rt.id === id) as Runtime;

test('the entry goes where the runtime wants it, keeping a variant extension', () => {
  assert.equal(entryName(lang('java'), 'Solution.java'), 'Main.java');
  assert.equal(entryName(lang('cpp'), 'a.cc'), 'main.cc');
  assert.equal(entryName(lang('cpp'), 'a.txt'), 'main.cpp');
  assert.equal(entryName(lang('javascript'), 'x.mjs'), 'main.mjs');
  assert.equal(entryName(lang('python'), 'anything'), 'main.py');
});

test('prepare: other files keep their names; sources are the entry and files in the language', () => {
  const p = prepare(lang('c'), [
    { name: 'prog.c', content: 'int main(){}' },
    { name: 'lib/util.c', content: '' },
    { name: 'util.h', content: '' },
  ]);
  assert.deepEqual(
    p.files.map((f) => f.path),
    ['main.c', 'lib/util.c', 'util.h'],
  );
  assert.deepEqual(p.sources, ['main.c', 'lib/util.c']);
  assert.deepEqual(lang('c').compile?.({ limits: DEFAULT_POLICY.defaults, entry: p.entry, sources: p.sources }), [
    'gcc',
    '-std=gnu17',
    '-O2',
    '-pipe',
    '-o',
    'main',
    'main.c',
    'lib/util.c',
    '-lm',
  ]);
});

test('prepare: bad file lists name the field', () => {
  const c = lang('c');
  assert.throws(() => prepare(c, []), /^SpecError: files: at least one file/);
  assert.throws(
    () =>
      prepare(c, [
        { name: 'a.c', content: '' },
        { name: '../x', content: '' },
      ]),
    (e: Error & { field?: string }) => e.field === 'files[1].name',
  );
  assert.throws(
    () =>
      prepare(c, [
        { name: 'a.c', content: '' },
        { name: 'main.c', content: '' },
      ]),
    /files\[1\]\.name: main\.c is there twice/,
  );
  assert.throws(() => prepare(c, [{ name: 'a.c', content: 5 as never }]), /files\[0\]\.content/);
});

test('a runtime floor raises a limit asked below it, never past the maximum', () => {
  const java = lang('java');
  const run = stepLimits({ memoryBytes: 32 << 20, pids: 4 }, DEFAULT_POLICY, java.floors?.run);
  assert.equal(run.memoryBytes, 96 << 20);
  assert.equal(run.pids, 32);
  const capped = stepLimits(
    {},
    { defaults: { ...DEFAULT_POLICY.defaults, pids: 10 }, maxima: { ...DEFAULT_POLICY.maxima, pids: 20 } },
    { pids: 64 },
  );
  assert.equal(capped.pids, 20);
  assert.throws(() => stepLimits({ cpuMs: 10 ** 9 }, COMPILE_POLICY), LimitError);
});

test('the JVM is told the box, not the host: heap from the memory limit, cpus from the share', () => {
  const argv = lang('java').run({
    limits: { ...DEFAULT_POLICY.defaults, memoryBytes: 256 << 20, cpus: 1.5 },
    entry: 'Main.java',
    sources: [],
  });
  assert.ok(argv.includes('-Xmx192m'), argv.join(' '));
  assert.ok(argv.includes('-XX:ActiveProcessorCount=2'));
  assert.equal(lang('go').env?.({ ...DEFAULT_POLICY.defaults, cpus: 0.5 }).GOMAXPROCS, '1');
});

test('the table: ids, aliases and extensions are unique; every language has a version command', () => {
  const names = LANGUAGES.flatMap((rt) => [rt.id, ...rt.aliases]);
  assert.equal(new Set(names).size, names.length);
  const exts = LANGUAGES.flatMap((rt) => rt.extensions);
  assert.equal(new Set(exts).size, exts.length);
  assert.equal(LANGUAGES.length, 13);
  for (const rt of LANGUAGES) assert.ok(rt.versionCommand.length > 0 && rt.requires.length > 0, rt.id);
  const reg = new Registry<Runtime>('host', LANGUAGES);
  assert.equal(reg.find('C++')?.id, 'cpp');
  assert.equal(reg.forFile('x/Main.JAVA')?.id, 'java');
  assert.equal(reg.find('cobol'), undefined);
});

test('file names a tool could read as options are refused, in every language; the rest are passed as paths', () => {
  for (const rt of LANGUAGES) {
    const ext = rt.extensions[0] ?? '';
    for (const name of [`-o${ext}`, `@helper${ext}`, `lib/-x${ext}`, `-dir/x${ext}`, `lib/@x${ext}`]) {
      assert.throws(
        () =>
          prepare(rt, [
            { name: rt.sourceFile, content: '' },
            { name, content: '' },
          ]),
        (e: Error & { field?: string }) => e.field === 'files[1].name' && /option/.test(e.message),
        `${rt.id}: ${name}`,
      );
      assert.throws(
        () => prepare(rt, [{ name, content: '' }]),
        (e: Error & { field?: string }) => e.field === 'files[0].name',
        `${rt.id}: entry ${name}`,
      );
    }
    // a directory named @scope is a path like any other
    assert.ok(
      prepare(rt, [
        { name: rt.sourceFile, content: '' },
        { name: `@scope/x${ext}`, content: '' },
      ]),
    );
  }
  assert.equal(operand('@scope/x.c'), './@scope/x.c');
  assert.equal(operand('+x.c'), './+x.c');
  assert.equal(operand('main.c'), 'main.c');
});

test('Java: a public class goes in a file of its name, and the class with main runs, whatever it is called', () => {
  const java = lang('java');
  const pub = prepare(java, [
    { name: 'anything.java', content: 'public class Solution { public static void main(String[] a) {} }' },
  ]);
  assert.deepEqual([pub.entry, pub.main], ['Solution.java', 'Solution']);
  const plain = prepare(java, [
    { name: 'Main.java', content: 'class Helper {}\nclass Solution { static void main(String[] a) {} }' },
  ]);
  assert.deepEqual([plain.entry, plain.main], ['Main.java', 'Solution']);
  assert.deepEqual(
    java.run({ limits: DEFAULT_POLICY.defaults, entry: plain.entry, sources: plain.sources, main: 'Solution' }).at(-1),
    'Solution',
  );
});

test('keepNames: the entry keeps the name it was given (Piston), checked like any other name', () => {
  const py = prepare(
    lang('python'),
    [
      { name: 'hello.py', content: '' },
      { name: 'main.py', content: '' },
    ],
    { keepNames: true },
  );
  assert.deepEqual(
    py.files.map((f) => f.path),
    ['hello.py', 'main.py'],
  );
  assert.equal(py.entry, 'hello.py');
  assert.throws(
    () => prepare(lang('python'), [{ name: '../x.py', content: '' }], { keepNames: true }),
    (e: Error & { field?: string }) => e.field === 'files[0].name',
  );
  // without it, the runtime's name, as the native API has always placed it
  assert.equal(prepare(lang('python'), [{ name: 'hello.py', content: '' }]).entry, 'main.py');
});

test("a multi-file program (Judge0's): the entry is its run script, run by bash; its compile script, when it has one, is the compile step", () => {
  const project = lang('project');
  const p = prepare(project, [
    { name: 'run', content: './main' },
    { name: 'compile', content: 'gcc main.c -o main' },
    { name: 'main.c', content: '' },
  ]);
  assert.deepEqual(
    p.files.map((f) => f.path),
    ['run', 'compile', 'main.c'],
  );
  assert.equal(prepare(project, [{ name: 'go.sh', content: '' }]).entry, 'run', 'the entry is the run script');
  const ctx = { limits: DEFAULT_POLICY.defaults, entry: p.entry, sources: p.sources };
  assert.deepEqual(project.run(ctx), ['bash', 'run']);
  // a fixed script: no name or argument of the client's is in it
  assert.deepEqual(project.compile?.(ctx), ['bash', '-c', 'if [ -f compile ]; then exec bash compile; fi']);
  assert.deepEqual(project.requires, ['bash']);
});
