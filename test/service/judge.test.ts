/**
 * Judge mode end to end: compile once, each test in a fresh box, a verdict per test and
 * for the whole, every checker, tests streamed as they finish.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRequest, JobView, ReceivedEvent } from '@codebox/client';
import { post, serviceSkip, useStack } from './stack.js';

const SUM_PY = 'a, b = map(int, input().split())\nprint(a + b)\n';
const SUM_TESTS = [
  { name: 'small', stdin: '1 2\n', expectedOutput: '3\n' },
  { name: 'zero', stdin: '0 0\n', expectedOutput: '0\n' },
  { name: 'big', stdin: '1000000000 1000000000\n', expectedOutput: '2000000000\n' },
];

describe('judge mode', { skip: serviceSkip() }, () => {
  const t = useStack();

  const judge = async (request: JobRequest): Promise<JobView> => t.s.client().run(request);

  it('ACCEPTED: every test passes', async () => {
    const job = await judge({
      language: 'c',
      files: [
        {
          content:
            '#include <stdio.h>\nint main(void) { long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b); }\n',
        },
      ],
      tests: SUM_TESTS,
    });
    assert.equal(job.status, 'completed');
    assert.equal(job.result, undefined, 'a judge job has judge, not result');
    assert.equal(job.judge?.verdict, 'ACCEPTED');
    assert.deepEqual([job.judge?.passed, job.judge?.total, job.judge?.skipped], [3, 3, 0]);
    assert.equal(job.judge?.compile?.status, 'OK');
    assert.deepEqual(
      job.judge?.tests.map((t) => [t.index, t.name, t.verdict, t.stdout]),
      [
        [0, 'small', 'ACCEPTED', '3\n'],
        [1, 'zero', 'ACCEPTED', '0\n'],
        [2, 'big', 'ACCEPTED', '2000000000\n'],
      ],
    );
  });

  it('WRONG_ANSWER, TIME_LIMIT, MEMORY_LIMIT, RUNTIME_ERROR: the summary is the first failure', async () => {
    const job = await judge({
      language: 'python',
      files: [
        {
          content:
            'import sys\nn = int(input())\nif n == 1: print(2)\nif n == 2:\n    while True: pass\nif n == 3: x = bytearray(1 << 30)\nif n == 4: sys.exit(3)\nif n == 5: print(5)\n',
        },
      ],
      limits: { cpuMs: 300, memoryBytes: 64 << 20 },
      tests: [
        { stdin: '1', expectedOutput: '1' },
        { stdin: '2', expectedOutput: '2' },
        { stdin: '3', expectedOutput: '3' },
        { stdin: '4', expectedOutput: '4' },
        { stdin: '5', expectedOutput: '5' },
      ],
    });
    assert.deepEqual(
      job.judge?.tests.map((t) => t.verdict),
      ['WRONG_ANSWER', 'TIME_LIMIT', 'MEMORY_LIMIT', 'RUNTIME_ERROR', 'ACCEPTED'],
    );
    assert.equal(job.judge?.verdict, 'WRONG_ANSWER');
    assert.equal(job.judge?.passed, 1);
    assert.match(job.judge?.tests[0]?.checker ?? '', /line 1: got "2", expected "1"/);
    assert.equal(job.judge?.tests[3]?.exitCode, 3);
  });

  it('COMPILE_ERROR: nothing runs, the compiler says why', async () => {
    const job = await judge({ language: 'cpp', files: [{ content: 'int main() { return }' }], tests: SUM_TESTS });
    assert.equal(job.judge?.verdict, 'COMPILE_ERROR');
    assert.deepEqual([job.judge?.passed, job.judge?.skipped, job.judge?.tests.length], [0, 3, 0]);
    assert.match(job.judge?.compile?.stderr ?? '', /error/);
  });

  it('stopOnFirstFailure leaves the rest unrun', async () => {
    const job = await judge({
      language: 'python',
      files: [{ content: 'print(1)' }],
      tests: [{ expectedOutput: '1' }, { expectedOutput: '2' }, { expectedOutput: '1' }],
      stopOnFirstFailure: true,
    });
    assert.deepEqual(
      job.judge?.tests.map((t) => t.verdict),
      ['ACCEPTED', 'WRONG_ANSWER'],
    );
    assert.equal(job.judge?.skipped, 1);
  });

  it('the checkers: exact, trailing-whitespace (default), tokens, float', async () => {
    const out = 'print("1.0000001  2 ")\nprint()\n';
    const verdict = async (checker?: JobRequest['checker'], expectedOutput = '1.0 2\n') =>
      (
        await judge({
          language: 'python',
          files: [{ content: out }],
          tests: [{ expectedOutput }],
          ...(checker ? { checker } : {}),
        })
      ).judge?.verdict;
    assert.equal(await verdict('exact', '1.0000001  2 \n\n'), 'ACCEPTED');
    assert.equal(await verdict('exact', '1.0000001  2\n'), 'WRONG_ANSWER');
    assert.equal(
      await verdict(undefined, '1.0000001  2\n'),
      'ACCEPTED',
      'trailing whitespace and blank lines do not count',
    );
    assert.equal(await verdict(undefined, '1.0000001 2\n'), 'WRONG_ANSWER', 'inner whitespace does');
    assert.equal(await verdict('tokens', '1.0000001\n2'), 'ACCEPTED');
    assert.equal(await verdict('tokens'), 'WRONG_ANSWER');
    assert.equal(await verdict('float'), 'ACCEPTED');
    assert.equal(await verdict({ type: 'float', absolute: 1e-9, relative: 1e-9 }), 'WRONG_ANSWER');
  });

  it('a checker program: given input, output and expected as files; exit 0 accepts, 1 rejects', async () => {
    // accepts any pair of numbers whose sum is the input's first number
    const checker = {
      type: 'program' as const,
      language: 'python',
      files: [
        {
          content:
            'import sys\nn = int(open(sys.argv[1]).read())\na, b = map(int, open(sys.argv[2]).read().split())\nif a + b == n and open(sys.argv[3]).read().strip() == "any":\n    print("ok", a, b)\nelse:\n    print("wrong", a, b); sys.exit(1)\n',
        },
      ],
    };
    const job = await judge({
      language: 'python',
      files: [{ content: 'n = int(input())\nprint(1, n - 1) if n != 7 else print(0, 0)\n' }],
      tests: [
        { stdin: '10', expectedOutput: 'any' },
        { stdin: '7', expectedOutput: 'any' },
      ],
      checker,
    });
    assert.deepEqual(
      job.judge?.tests.map((t) => [t.verdict, t.checker]),
      [
        ['ACCEPTED', 'ok 1 9'],
        ['WRONG_ANSWER', 'wrong 0 0'],
      ],
    );
    const broken = await judge({
      language: 'python',
      files: [{ content: 'print(1)' }],
      tests: [{ expectedOutput: '1' }],
      checker: { ...checker, files: [{ content: 'raise SystemExit(7)' }] },
    });
    assert.equal(broken.judge?.tests[0]?.verdict, 'INTERNAL_ERROR');
    assert.match(broken.judge?.tests[0]?.checker ?? '', /the checker failed/);
  });

  it('each test in a fresh box: nothing one test leaves is there for the next', async () => {
    // each test looks for the marker, leaves it, and looks again: the second look is the
    // control, proof that the marker was written and that the look would see it
    const job = await judge({
      language: 'python',
      files: [
        {
          content:
            'import os\nprint(os.path.exists("marker"))\nopen("marker", "w").close()\nprint(os.path.exists("marker"))\n',
        },
      ],
      tests: [{ expectedOutput: 'False\nTrue' }, { expectedOutput: 'False\nTrue' }, { expectedOutput: 'False\nTrue' }],
    });
    assert.equal(job.judge?.verdict, 'ACCEPTED', JSON.stringify(job.judge?.tests.map((x) => x.stdout)));
  });

  it('streams each test as it finishes, before the result', async () => {
    const { id } = await t.s.client().create({
      language: 'python',
      files: [{ content: 'import time\ntime.sleep(0.3)\n' + SUM_PY }],
      tests: SUM_TESTS,
    });
    const events: ReceivedEvent[] = [];
    for await (const e of t.s.client().events(id)) events.push(e);
    const tests = events.filter((e) => e.type === 'test');
    assert.deepEqual(
      tests.map((e) => (e.data as { index: number; verdict: string }).verdict),
      ['ACCEPTED', 'ACCEPTED', 'ACCEPTED'],
    );
    // stream ids are Redis's millisecond clock: each test's event came when that test ended
    const at = tests.map((e) => Number(e.id.split('-')[0]));
    assert.ok(at[1]! - at[0]! >= 250 && at[2]! - at[1]! >= 250, `test events at ${at.join(', ')}`);
    assert.equal(events.at(-1)?.type, 'result');
    assert.equal((events.at(-1)?.data as JobView).judge?.verdict, 'ACCEPTED');
  });

  it("an interactive problem: the interactor and the solution talk through each other's stdin and stdout", async () => {
    // guess the number from input.txt in at most 10 questions; the interactor says < > or =
    const interactor = {
      language: 'python',
      files: [
        {
          content: [
            'import sys',
            'secret = int(open(sys.argv[1]).read())',
            'for turn in range(10):',
            '    line = sys.stdin.readline()',
            '    if not line:',
            '        print("no answer", file=sys.stderr); sys.exit(1)',
            '    guess = int(line)',
            '    if guess == secret:',
            '        print("="); sys.stdout.flush(); print(f"found in {turn + 1}", file=sys.stderr); sys.exit(0)',
            '    print("<" if secret < guess else ">"); sys.stdout.flush()',
            'print("too many guesses", file=sys.stderr); sys.exit(1)',
          ].join('\n'),
        },
      ],
    };
    const binary =
      'lo, hi = 1, 1000\nwhile True:\n    mid = (lo + hi) // 2\n    print(mid, flush=True)\n    a = input()\n    if a == "=": break\n    if a == "<": hi = mid - 1\n    else: lo = mid + 1\n';
    const tests = [
      { stdin: '1', expectedOutput: '' },
      { stdin: '777', expectedOutput: '' },
      { stdin: '1000', expectedOutput: '' },
    ];
    const good = await judge({ language: 'python', files: [{ content: binary }], tests, interactor });
    assert.deepEqual(
      good.judge?.tests.map((t) => t.verdict),
      ['ACCEPTED', 'ACCEPTED', 'ACCEPTED'],
      JSON.stringify(good.judge),
    );
    assert.match(good.judge?.tests[1]?.checker ?? '', /^found in \d+$/);
    const linear = await judge({
      language: 'python',
      files: [{ content: 'i = 0\nwhile True:\n    i += 1\n    print(i, flush=True)\n    if input() == "=": break\n' }],
      tests,
      interactor,
    });
    assert.deepEqual(
      linear.judge?.tests.map((t) => t.verdict),
      ['ACCEPTED', 'WRONG_ANSWER', 'WRONG_ANSWER'],
    );
    assert.equal(linear.judge?.tests[1]?.checker, 'too many guesses');
    const silent = await judge({
      language: 'python',
      files: [{ content: 'import time\ntime.sleep(30)' }],
      tests: tests.slice(0, 1),
      interactor,
      limits: { wallMs: 1000 },
    });
    assert.equal(silent.judge?.tests[0]?.verdict, 'WALL_TIME_LIMIT');
  });

  it('judge-mode requests are checked like the rest', async () => {
    const bad = async (body: object, field: string) => {
      const r = await post(`${t.s.url}/v1/jobs`, JSON.stringify(body));
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error?.details?.field, field);
    };
    await bad({ language: 'python', files: [{ content: '' }], tests: [{ stdin: '1' }] }, 'tests[0].expectedOutput');
    await bad({ language: 'python', files: [{ content: '' }], tests: [] }, 'tests');
    await bad({ language: 'python', files: [{ content: '' }], stdin: 'x', tests: [{ expectedOutput: '' }] }, 'stdin');
    await bad({ language: 'python', files: [{ content: '' }], checker: 'exact' }, 'checker');
    await bad(
      {
        language: 'python',
        files: [{ content: '' }],
        tests: [{ expectedOutput: '' }],
        checker: { type: 'program', language: 'cobol', files: [{ content: '' }] },
      },
      'checker.language',
    );
    await bad(
      {
        language: 'python',
        files: [{ content: '' }],
        tests: [{ expectedOutput: '' }],
        interactor: { language: 'python', files: [{ content: '' }] },
        checker: 'exact',
      },
      'checker',
    );
    await bad(
      { language: 'python', files: [{ content: '' }], interactor: { language: 'python', files: [{ content: '' }] } },
      'interactor',
    );
  });
});
