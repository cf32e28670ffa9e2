/**
 * Kattis output validators on real boxes: input judge_answer feedback_dir [flags], the
 * team output on stdin, 42 accepts and 43 rejects, judgemessage.txt carried, score.txt
 * read as points; and an interactive validator wired to the solution.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxSkip } from '../support.js';
import { checkerOf, interactorOf, printing, solution, source, useJudge } from './support.js';

const TESTS = [
  { name: 'one', stdin: '1 2\n', expectedOutput: '3\n' },
  { name: 'two', stdin: '10 -4\n', expectedOutput: '6\n' },
];

describe('Kattis validators', { skip: boxSkip('python3') }, () => {
  const j = useJudge();

  it('42 accepts, 43 rejects, judgemessage.txt is the message; exit 0 is a judge error', async () => {
    const checker = checkerOf(j, 'kattis-sum.py', { protocol: 'kattis' });
    const ok = await j.run('python', { files: printing('a + b'), tests: TESTS, checker });
    assert.deepEqual(
      ok.tests.map((t) => [t.verdict, t.checker]),
      [
        ['ACCEPTED', '1 + 2 = 3'],
        ['ACCEPTED', '10 + -4 = 6'],
      ],
    );
    const wrong = await j.run('python', { files: printing('"x"'), tests: TESTS.slice(0, 1), checker });
    assert.deepEqual(
      wrong.tests.map((t) => [t.verdict, t.checker]),
      [['WRONG_ANSWER', "expected one integer, got 'x'"]],
    );
    const zero = await j.run('python', {
      files: printing('a + b'),
      tests: TESTS.slice(0, 1),
      checker: { ...checker, files: [{ name: 'v.py', content: 'print("looks fine")' }] },
    });
    assert.equal(zero.tests[0]?.verdict, 'INTERNAL_ERROR');
    assert.match(zero.tests[0]?.checker ?? '', /the checker failed: it ended OK \(exit 0\): looks fine/);
  });

  it('validator flags come after the three arguments; score.txt gives points of the test', async () => {
    const checker = checkerOf(j, 'kattis-sum.py', { protocol: 'kattis', args: ['score'], points: 'absolute' });
    const r = await j.run('python', {
      files: printing('a + b + (1 if a == 10 else 0)'),
      tests: TESTS.map((t) => ({ ...t, points: 10 })),
      groups: [{ id: 'all', scoring: 'sum', tests: [0, 1] }],
      checker,
    });
    assert.deepEqual(
      r.tests.map((t) => [t.verdict, t.score, t.points, t.checker]),
      [
        ['ACCEPTED', 1, 10, '1 + 2 = 3'],
        ['ACCEPTED', 0.3, 3, 'off by one'],
      ],
    );
    assert.deepEqual([r.score, r.maxScore], [13, 20]);
  });

  it('an interactor may say more than a run’s default output to the solution, and take longer than its wall', async () => {
    // 200,000 queries of a number each, answered with its double: ~2.6 MB from the interactor
    const interactor = {
      runtime: j.runtime('python'),
      protocol: 'kattis' as const,
      files: [
        {
          name: 'many.py',
          content:
            'import sys\nn = 200000\nout = sys.stdout\nfor i in range(n):\n    out.write("%d\\n" % (i + 1000000))\n' +
            'out.write("0\\n")\nout.flush()\ntotal = sum(int(x) for x in sys.stdin.read().split())\n' +
            'sys.exit(42 if total == 2 * sum(range(1000000, 1000000 + n)) else 43)\n',
        },
      ],
    };
    const r = await j.run('python', {
      files: solution(
        'import sys\nfor line in sys.stdin:\n    x = int(line)\n    if x == 0: break\n    sys.stdout.write("%d\\n" % (2 * x))\n',
      ),
      tests: [{ stdin: '', expectedOutput: '' }],
      interactor,
      limits: { outputBytes: 4 << 20, wallMs: 15_000 },
    });
    assert.equal(r.tests[0]?.verdict, 'ACCEPTED', JSON.stringify(r.tests[0]));
  });

  it('an interactive validator: its stdout to the solution, the solution’s output on its stdin', async () => {
    const interactor = interactorOf(j, 'kattis-guess.py', { protocol: 'kattis' });
    const tests = [
      { stdin: '777\n', expectedOutput: '' },
      { stdin: '500\n', expectedOutput: '' },
    ];
    const good = await j.run('python', { files: [source('binary-search.py')], tests, interactor });
    assert.deepEqual(
      good.tests.map((t) => [t.verdict, t.checker]),
      [
        ['ACCEPTED', 'found in 8'],
        ['ACCEPTED', 'found in 1'],
      ],
    );
    const silent = await j.run('python', { files: solution('pass'), tests: tests.slice(0, 1), interactor });
    assert.deepEqual(
      silent.tests.map((t) => [t.verdict, t.checker]),
      [['WRONG_ANSWER', 'no guess']],
    );
  });
});
