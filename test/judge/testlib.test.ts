/**
 * testlib checkers, validators and interactors compiled against our testlib.h, judged on
 * real boxes: every outcome and its exit code, the message carried to the verdict, the
 * readers' range checks and strictness, points, and the compile kept once per program.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge } from '@codebox/judge';
import type { CompileCache } from '@codebox/judge';
import { detectRuntimes, imageBuilt, imageDir, LANGUAGES, runProgram } from '@codebox/runtimes';
import type { Compiled, DetectedRuntime } from '@codebox/runtimes';
import { boxSkip, useSandbox } from '../support.js';
import { checkerOf, interactorOf, printing, solution, source, useJudge } from './support.js';

const SUM_TESTS = [
  { name: 'small', stdin: '1 2\n', expectedOutput: '3\n' },
  { name: 'negative', stdin: '-5 3\n', expectedOutput: '-2\n' },
];

describe('testlib', { skip: boxSkip('python3') }, () => {
  const j = useJudge();

  it('0 ok, 1 wrong answer, 2 presentation error (a wrong answer saying so), each message carried', async () => {
    const checker = checkerOf(j, 'sum-checker.cpp');
    const ok = await j.run('python', { files: printing('a + b'), tests: SUM_TESTS, checker });
    assert.equal(ok.verdict, 'ACCEPTED');
    assert.deepEqual(
      ok.tests.map((t) => t.checker),
      ['ok 1 + 2 = 3', 'ok -5 + 3 = -2'],
    );
    const wrong = await j.run('python', { files: printing('a * b + 10'), tests: SUM_TESTS, checker });
    assert.deepEqual(
      wrong.tests.map((t) => [t.verdict, t.checker]),
      [
        ['WRONG_ANSWER', 'wrong answer expected 3, found 12'],
        ['WRONG_ANSWER', 'wrong answer expected -2, found -5'],
      ],
    );
    const format = await j.run('python', { files: printing('"three"'), tests: SUM_TESTS.slice(0, 1), checker });
    assert.equal(format.tests[0]?.verdict, 'WRONG_ANSWER');
    assert.equal(format.tests[0]?.checker, 'wrong output format expected int64, found "three"');
    const extra = await j.run('python', { files: printing('a + b, 0'), tests: SUM_TESTS.slice(0, 1), checker });
    assert.match(extra.tests[0]?.checker ?? '', /^wrong output format extra information in the output file/);
    const empty = await j.run('python', { files: solution('input()'), tests: SUM_TESTS.slice(0, 1), checker });
    assert.match(empty.tests[0]?.checker ?? '', /^wrong output format unexpected end of file/);
  });

  it("a range check on the contestant's output is a wrong answer; on the input or the answer a FAIL (INTERNAL_ERROR)", async () => {
    const checker = checkerOf(j, 'sum-checker.cpp');
    const big = await j.run('python', { files: printing('3000000000'), tests: SUM_TESTS.slice(0, 1), checker });
    assert.equal(big.tests[0]?.verdict, 'WRONG_ANSWER');
    assert.equal(big.tests[0]?.checker, 'wrong answer sum = 3000000000 is out of [-2000000000, 2000000000]');
    const badInput = await j.run('python', {
      files: printing('0'),
      tests: [{ stdin: '1 9999999999\n', expectedOutput: '0\n' }],
      checker,
    });
    assert.equal(badInput.tests[0]?.verdict, 'INTERNAL_ERROR', 'the problem is at fault, never the contestant');
    assert.match(
      badInput.tests[0]?.checker ?? '',
      /the checker failed: .*exit 3.*b = 9999999999 is out of .* \(in the input\)/,
    );
    const badAnswer = await j.run('python', {
      files: printing('a + b'),
      tests: [{ stdin: '1 2\n', expectedOutput: '4\n' }],
      checker,
    });
    assert.equal(badAnswer.verdict, 'INTERNAL_ERROR');
    assert.match(badAnswer.tests[0]?.checker ?? '', /FAIL the answer 4 is not 1 \+ 2/);
  });

  it('7 with points: PARTIAL with the part of the test, as a fraction or a percentage', async () => {
    const off = await j.run('python', {
      files: printing('a + b + 1'),
      tests: SUM_TESTS,
      checker: checkerOf(j, 'sum-checker.cpp'),
    });
    assert.deepEqual(
      off.tests.map((t) => [t.verdict, t.score, t.checker]),
      [
        ['PARTIAL', 0.5, 'points 0.5 off by one: 4'],
        ['PARTIAL', 0.5, 'points 0.5 off by one: -1'],
      ],
    );
    assert.equal(off.verdict, 'PARTIAL');
    const percent = await j.run('python', {
      files: printing('a + b + 1'),
      tests: SUM_TESTS.slice(0, 1),
      checker: checkerOf(j, 'sum-checker.cpp', { points: 'percent' }),
    });
    assert.equal(percent.tests[0]?.score, 0.005);
  });

  it('a strict validator: exact spaces, line ends, no leading zeros, the end of the file', async () => {
    const validate = async (input: string) => {
      const r = await runProgram(j.sandbox(), j.runtime('cpp'), {
        files: [source('strict-validator.cpp'), source('../../../packages/judge/include/testlib.h')].map((f) => ({
          name: f.name.split('/').pop() as string,
          content: f.content,
        })),
        stdin: input,
      });
      return [r.exitCode, r.stderr.toString().trim()];
    };
    assert.deepEqual(await validate('3\n1 2 3\n'), [0, '']);
    for (const [input, why] of [
      ['3\n1  2 3\n', /expected a token, found ' '|expected ' '/],
      ['3\n1 2 3', /unexpected end of file: expected '\\n'/],
      ['3\n1 2 3\n\n', /expected the end of the file/],
      ['3\n01 2 3\n', /expected int32, found "01"/],
      ['3\n1 2 0\n', /a\[3\] = 0 is out of \[1, 1000000000\]/],
      ['101\n', /n = 101 is out of \[1, 100\]/],
      ['3\r\n1 2 3\n', /expected '\\n', found '\\r'/],
    ] as const) {
      const [code, message] = await validate(input);
      assert.equal(code, 3, JSON.stringify(input));
      assert.match(String(message), why, JSON.stringify(input));
      assert.match(String(message), /^FAIL /);
    }
  });

  it('a testlib interactor, and a checker judging what it wrote to tout', async () => {
    const tests = [
      { name: 'middle', stdin: '500\n', expectedOutput: '' },
      { name: 'edge', stdin: '1\n', expectedOutput: '' },
    ];
    const interactor = interactorOf(j, 'guess-interactor.cpp', { protocol: 'testlib' });
    const alone = await j.run('python', { files: [source('binary-search.py')], tests, interactor });
    assert.deepEqual(
      alone.tests.map((t) => [t.verdict, t.checker]),
      [
        ['ACCEPTED', 'ok found in 1'],
        ['ACCEPTED', 'ok found in 9'],
      ],
    );
    const checked = await j.run('python', {
      files: [source('binary-search.py')],
      tests,
      interactor,
      checker: checkerOf(j, 'count-checker.cpp'),
    });
    assert.deepEqual(
      checked.tests.map((t) => [t.verdict, t.score, t.checker]),
      [
        ['ACCEPTED', undefined, 'ok 1 guesses'],
        ['PARTIAL', 0.5, 'points 0.5 9 guesses: more than 7'],
      ],
    );
    const linear = await j.run('python', {
      files: solution('i = 0\nwhile True:\n    i += 1\n    print(i, flush=True)\n    if input() == "=": break\n'),
      tests: tests.slice(0, 1),
      interactor,
    });
    assert.deepEqual(
      linear.tests.map((t) => [t.verdict, t.checker]),
      [['WRONG_ANSWER', 'wrong answer too many guesses']],
    );
    const quits = await j.run('python', {
      files: solution('print(5, flush=True)'),
      tests: tests.slice(0, 1),
      interactor,
    });
    assert.equal(quits.tests[0]?.verdict, 'WRONG_ANSWER');
    assert.match(quits.tests[0]?.checker ?? '', /^unexpected eof/);
  });

  it('a compile two jobs share is not stopped by one of them being cancelled', async () => {
    // as a worker shares them: the second job waits on the first one's compile of the same checker
    const making = new Map<string, Promise<Compiled>>();
    const compileCache: CompileCache = {
      get: (key, make) => {
        let p = making.get(key);
        if (!p) making.set(key, (p = make()));
        return p;
      },
    };
    // a checker no other test compiles: its compile is not in any cache yet
    const checker = {
      ...checkerOf(j, 'sum-checker.cpp'),
      files: [{ ...source('sum-checker.cpp'), content: `${source('sum-checker.cpp').content}\n// shared\n` }],
    };
    const cancelled = new AbortController();
    const first = j.run(
      'python',
      { files: printing('a + b'), tests: SUM_TESTS, checker, compileCache },
      { signal: cancelled.signal },
    );
    const second = j.run('python', { files: printing('a + b'), tests: SUM_TESTS, checker, compileCache });
    // g++ takes seconds over testlib.h: this lands while the checker compiles
    setTimeout(() => cancelled.abort(), 300);
    await assert.rejects(first, /the job was cancelled while its checker compiled/);
    assert.equal((await second).verdict, 'ACCEPTED', 'the job nobody cancelled is judged');
    assert.equal(making.size, 1);
  });

  it('a checker is compiled once per cache key, and its own testlib.h wins over ours', async () => {
    const kept = new Map<string, Compiled>();
    let compiles = 0;
    const compileCache: CompileCache = {
      get: async (key, make) => {
        const hit = kept.get(key);
        if (hit) return hit;
        compiles++;
        const made = await make();
        kept.set(key, made);
        return made;
      },
    };
    const checker = checkerOf(j, 'sum-checker.cpp');
    for (let i = 0; i < 3; i++) {
      const r = await j.run('python', { files: printing('a + b'), tests: SUM_TESTS, checker, compileCache });
      assert.equal(r.verdict, 'ACCEPTED');
    }
    assert.equal(compiles, 1);
    assert.ok(
      [...kept.values()].every((c) => c.files.every((f) => f.path !== 'testlib.h')),
      "our header is the compiler's, not the checker's run's",
    );
    // a package that brings its own testlib.h (Polygon's do) compiles against it
    const own = {
      ...checker,
      files: [
        { name: 'check.cpp', content: '#include "testlib.h"\nint main() { return OWN_EXIT; }\n' },
        { name: 'testlib.h', content: '#define OWN_EXIT 1\n' },
      ],
    };
    const r = await j.run('python', { files: printing('a + b'), tests: SUM_TESTS.slice(0, 1), checker: own });
    assert.equal(r.tests[0]?.verdict, 'WRONG_ANSWER');
    // ours is on the include path, not only beside the source
    const bracketed = {
      ...checker,
      files: [
        {
          name: 'check.cpp',
          content:
            '#include <testlib.h>\nint main(int argc, char *argv[]) { registerTestlibCmd(argc, argv); ouf.readLong(); quitf(_ok, "angled"); }\n',
        },
      ],
    };
    const found = await j.run('python', { files: printing('a + b'), tests: SUM_TESTS.slice(0, 1), checker: bracketed });
    assert.deepEqual([found.tests[0]?.verdict, found.tests[0]?.checker], ['ACCEPTED', 'ok angled']);
  });
});

const DATA_DIR = process.env.CODEBOX_DATA_DIR ?? '/var/lib/codebox';
const IMAGE = imageDir(DATA_DIR);

describe(
  'testlib on the image root',
  {
    skip:
      boxSkip('python3') ||
      (imageBuilt(IMAGE) || process.env.CODEBOX_REQUIRE_IMAGE === '1'
        ? false
        : `no image root at ${IMAGE} (npm run rootfs builds it)`),
  },
  () => {
    const sandbox = useSandbox();

    it('a checker finds testlib.h there too, by <testlib.h> as well, and judges', async () => {
      const found = (await detectRuntimes(sandbox(), { name: 'image', path: IMAGE }, LANGUAGES)).found;
      const rt = (id: string) => found.find((r) => r.id === id) as DetectedRuntime;
      const r = await judge(
        sandbox(),
        rt('python'),
        {
          files: [{ name: 'main', content: 'a, b = map(int, input().split())\nprint(a + b + (a == 5))\n' }],
          tests: [...SUM_TESTS, { stdin: '5 0\n', expectedOutput: '5\n' }],
          checker: { type: 'program', runtime: rt('cpp'), files: [angled(source('sum-checker.cpp'))] },
          rootfs: IMAGE,
        },
        undefined,
      );
      assert.deepEqual(
        r.tests.map((t) => [t.verdict, t.checker]),
        [
          ['ACCEPTED', 'ok 1 + 2 = 3'],
          ['ACCEPTED', 'ok -5 + 3 = -2'],
          ['PARTIAL', 'points 0.5 off by one: 6'],
        ],
      );
    });
  },
);

/** the same source, including testlib.h as a system header */
function angled(f: { name: string; content: string }): { name: string; content: string } {
  return { ...f, content: f.content.replace('#include "testlib.h"', '#include <testlib.h>') };
}
