/**
 * Every language, end to end in real boxes, on the host root and (when it has been built)
 * the image root: hello world, stdin echoed, an exit code passed through, a run-time
 * failure, a compile error where the language compiles, and threads (the JVM, Go) under
 * the default limits. CI sets CODEBOX_REQUIRE_RUNTIMES=1 and CODEBOX_REQUIRE_IMAGE=1, so
 * a toolchain or image missing there is a failure, not a skip.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { chooseRoot, detectRuntimes, imageBuilt, imageDir, LANGUAGES, runProgram } from '@codebox/runtimes';
import type { DetectedRuntime, ProgramResult, Root } from '@codebox/runtimes';
import { boxSkip, useSandbox } from '../support.js';
import { PROGRAMS } from './programs.js';

const DATA_DIR = process.env.CODEBOX_DATA_DIR ?? '/var/lib/codebox';
const REQUIRE_RUNTIMES = process.env.CODEBOX_REQUIRE_RUNTIMES === '1';
const REQUIRE_IMAGE = process.env.CODEBOX_REQUIRE_IMAGE === '1';

const roots: { root: Root; skip: string | false }[] = [
  { root: chooseRoot('host', DATA_DIR), skip: false },
  imageBuilt(imageDir(DATA_DIR)) || REQUIRE_IMAGE
    ? { root: { name: 'image', path: imageDir(DATA_DIR) }, skip: false }
    : {
        root: { name: 'image', path: undefined },
        skip: `no image root at ${imageDir(DATA_DIR)} (npm run rootfs builds it)`,
      },
];

function show(r: ProgramResult): string {
  return JSON.stringify({
    ...r,
    stdout: r.stdout.toString(),
    stderr: r.stderr.toString(),
    compile: r.compile && { ...r.compile, stdout: r.compile.stdout.toString(), stderr: r.compile.stderr.toString() },
  });
}

for (const { root, skip } of roots) {
  describe(`languages on the ${root.name} root`, { skip: boxSkip() || skip }, () => {
    const sb = useSandbox();
    const found = new Map<string, DetectedRuntime>();
    const absent: Record<string, string> = {};

    before(async () => {
      if (root.name === 'image')
        assert.ok(imageBuilt(root.path ?? ''), `CODEBOX_REQUIRE_IMAGE=1 but no image at ${root.path}`);
      const d = await detectRuntimes(sb(), root, LANGUAGES);
      for (const rt of d.found) found.set(rt.id, rt);
      Object.assign(absent, d.absent);
    });

    it('detects a version for every language it has', () => {
      // detection looked at every language, and found some: an empty `found` would make
      // the loop below pass and every test after it skip
      assert.deepEqual([...found.keys(), ...Object.keys(absent)].sort(), LANGUAGES.map((l) => l.id).sort());
      assert.ok(found.size > 0, `no language found in the ${root.name} root: ${JSON.stringify(absent)}`);
      if (REQUIRE_RUNTIMES) assert.deepEqual(absent, {}, 'every language must be there in CI');
      for (const rt of found.values()) assert.match(rt.version, /^\d+\.\d+(\.\d+)?$/, rt.id);
    });

    it('the box knows itself on this root as on any: its user, its group and localhost', async () => {
      // the box's passwd, group and hosts are bound over the root's own: a root without one
      // of them (the image had no /etc/hosts) has no place to bind it, and localhost did not resolve
      const r = await sb().run({
        argv: ['sh', '-c', 'id -un; id -gn; getent ahostsv4 localhost'],
        ...(root.path ? { rootfs: root.path } : {}),
      });
      assert.equal(r.exitCode, 0, r.stderr.toString());
      assert.match(r.stdout.toString(), /^box\nbox\n127\.0\.0\.1\s+STREAM localhost\n/);
    });

    for (const [id, p] of Object.entries(PROGRAMS)) {
      describe(id, () => {
        const run = async (source: string, stdin?: string): Promise<ProgramResult> => {
          const rt = found.get(id);
          assert.ok(rt, `${id} is not in the ${root.name} root: ${absent[id]}`);
          return runProgram(sb(), rt, {
            files: [{ name: rt.sourceFile, content: source }],
            ...(stdin === undefined ? {} : { stdin }),
            ...(root.path ? { rootfs: root.path } : {}),
          });
        };
        const present = (t: { skip: (why: string) => void }): boolean => {
          if (found.has(id) || REQUIRE_RUNTIMES) return true;
          t.skip(absent[id] ?? 'not detected');
          return false;
        };

        it('hello world', async (t) => {
          if (!present(t)) return;
          const r = await run(p.hello);
          assert.equal(r.status, 'OK', show(r));
          assert.equal(r.stdout.toString(), 'Hello, World!\n');
          assert.equal(
            r.compile !== undefined,
            found.get(id)?.compile !== undefined,
            'a compile result exactly when it compiles',
          );
          if (r.compile) assert.equal(r.compile.status, 'OK');
        });

        it('echoes stdin', async (t) => {
          if (!present(t)) return;
          const input = 'line one\nline two — ünïcode ✓\n'.repeat(100);
          const r = await run(p.echo, input);
          assert.equal(r.status, 'OK', show(r));
          assert.equal(r.stdout.toString(), input);
        });

        it('passes the exit code through', async (t) => {
          if (!present(t)) return;
          const r = await run(p.exit3);
          assert.equal(r.status, 'RUNTIME_ERROR', show(r));
          assert.equal(r.exitCode, 3);
          assert.equal(r.stdout.toString(), 'bye\n');
        });

        it('a run-time failure is RUNTIME_ERROR', async (t) => {
          if (!present(t)) return;
          const r = await run(p.crash);
          assert.equal(r.status, 'RUNTIME_ERROR', show(r));
          assert.ok(r.signal !== null || (r.exitCode ?? 0) !== 0, show(r));
          // it ran up to the failure (its first line), and not past it
          assert.match(r.stdout.toString(), /^before\n/, show(r));
          assert.doesNotMatch(r.stdout.toString(), /unreachable/);
        });

        if (p.compileError) {
          it("a compile error is COMPILE_ERROR with the compiler's output, and nothing runs", async (t) => {
            if (!present(t)) return;
            const r = await run(p.compileError ?? '');
            assert.equal(r.status, 'COMPILE_ERROR', show(r));
            assert.ok(r.compile, 'the compile step is reported');
            assert.notEqual(r.compile.status, 'OK');
            assert.ok(r.compile.stdout.length + r.compile.stderr.length > 0, 'the compiler said why');
            assert.deepEqual([r.exitCode, r.signal, r.cpuMs, r.wallMs, r.stdout.length], [null, null, 0, 0, 0]);
          });
        }

        if (p.threads) {
          it('runs threads under the default limits', async (t) => {
            if (!present(t)) return;
            const r = await run(p.threads ?? '');
            assert.equal(r.status, 'OK', show(r));
            assert.equal(r.stdout.toString(), '8000\n');
          });
        }
      });
    }
  });
}

for (const { root, skip } of roots) {
  describe(`file names as clients give them, on the ${root.name} root`, { skip: boxSkip() || skip }, () => {
    const sb = useSandbox();
    const found = new Map<string, DetectedRuntime>();
    before(async () => {
      for (const rt of (await detectRuntimes(sb(), root, LANGUAGES)).found) found.set(rt.id, rt);
    });
    const rootfs = root.path ? { rootfs: root.path } : {};

    it('Java runs whatever its class is called: public HelloWorld, a class Solution, a helper class before it', async (t) => {
      const java = found.get('java');
      if (!java && !REQUIRE_RUNTIMES) return t.skip('no java here');
      assert.ok(java);
      const programs: [string, string][] = [
        [
          'HelloWorld.java',
          'public class HelloWorld {\n  public static void main(String[] args) { System.out.println("hello from HelloWorld"); }\n}\n',
        ],
        [
          'main.java',
          'class Solution {\n  public static void main(String[] args) { System.out.println("hello from Solution"); }\n}\n',
        ],
        [
          'Main.java',
          'class Helper { static String who() { return "App"; } }\nclass App {\n  public static void main(String[] args) { System.out.println("hello from " + Helper.who()); }\n}\n',
        ],
      ];
      for (const [name, source] of programs) {
        for (const keepNames of [false, true]) {
          const r = await runProgram(sb(), java, {
            files: [{ name, content: source }],
            ...(keepNames ? { keepNames } : {}),
            ...rootfs,
          });
          assert.equal(r.status, 'OK', `${name} keepNames=${keepNames}: ${show(r)}`);
          assert.match(r.stdout.toString(), /^hello from (HelloWorld|Solution|App)\n$/);
        }
      }
    });

    it("keepNames: the program sees its own file's name (argv[0], messages), and a second file may be called main.py", async (t) => {
      const py = found.get('python');
      if (!py && !REQUIRE_RUNTIMES) return t.skip('no python here');
      assert.ok(py);
      const r = await runProgram(sb(), py, {
        files: [
          {
            name: 'solver.py',
            content: 'import sys, main\nprint(sys.argv[0], main.x)\nraise SystemExit(str(__file__))',
          },
          { name: 'main.py', content: 'x = 42' },
        ],
        keepNames: true,
        ...rootfs,
      });
      assert.equal(r.stdout.toString(), 'solver.py 42\n', show(r));
      assert.match(r.stderr.toString(), /solver\.py/);
    });
  });
}

describe('runtimes absent from a root', { skip: boxSkip() }, () => {
  const sb = useSandbox();
  it('are listed as absent with the reason, not found', async () => {
    const fake = {
      ...LANGUAGES[0]!,
      id: 'nothing',
      requires: ['codebox-no-such-compiler'],
      versionCommand: ['codebox-no-such-compiler', '--version'],
    };
    const d = await detectRuntimes(sb(), { name: 'host', path: undefined }, [fake]);
    assert.deepEqual(d.found, []);
    assert.match(d.absent.nothing ?? '', /needs codebox-no-such-compiler/);
  });
});
