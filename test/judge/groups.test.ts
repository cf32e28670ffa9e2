/**
 * Subtasks on real boxes: per-test verdicts, per-group scores and the total; a group
 * stopped when the rest of its tests are moot, one skipped when a group it depends on did
 * not pass, partial points from a checker; and tests whose data are files, streamed to
 * the program and bound into the checker's box.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { boxSkip } from '../support.js';
import { checkerOf, solution, useJudge } from './support.js';

/** n → n squared; the solution gets it wrong from `from` on */
const squares = (from: number) => solution(`n = int(input())\nprint(n * n if n < ${from} else n * n + 2)\n`);
const test = (n: number) => ({ name: `n${n}`, stdin: `${n}\n`, expectedOutput: `${n * n}\n` });

describe('groups', { skip: boxSkip('python3') }, () => {
  const j = useJudge();
  const tests = [1, 2, 3, 4, 5, 6].map(test);
  const groups = [
    { id: 'samples', points: 0, scoring: 'all' as const, tests: [0] },
    { id: 'small', points: 30, scoring: 'all' as const, dependsOn: ['samples'], tests: [1, 2] },
    { id: 'medium', points: 30, scoring: 'min' as const, dependsOn: ['small'], tests: [3, 4] },
    { id: 'sum', points: 40, scoring: 'sum' as const, tests: [5] },
  ];

  it('every test passes: each group its points, the total 100', async () => {
    const r = await j.run('python', { files: squares(100), tests, groups });
    assert.equal(r.verdict, 'ACCEPTED');
    assert.deepEqual([r.score, r.maxScore, r.skipped], [100, 100, 0]);
    assert.deepEqual(
      r.groups?.map((g) => [g.id, g.score, g.points, g.passed, g.verdict]),
      [
        ['samples', 0, 0, true, 'ACCEPTED'],
        ['small', 30, 30, true, 'ACCEPTED'],
        ['medium', 30, 30, true, 'ACCEPTED'],
        ['sum', 40, 40, true, 'ACCEPTED'],
      ],
    );
    assert.deepEqual(
      r.tests.map((t) => [t.index, t.group, t.score, t.points]),
      [
        [0, 'samples', 1, 0],
        [1, 'small', 1, 15],
        [2, 'small', 1, 15],
        [3, 'medium', 1, 15],
        [4, 'medium', 1, 15],
        [5, 'sum', 1, 40],
      ],
    );
  });

  it('an all group stops at its first failure; groups that depend on it are skipped; others still run', async () => {
    const r = await j.run('python', { files: squares(2), tests, groups });
    assert.equal(r.verdict, 'WRONG_ANSWER');
    assert.deepEqual(
      r.tests.map((t) => [t.index, t.verdict]),
      [
        [0, 'ACCEPTED'],
        [1, 'WRONG_ANSWER'],
        [5, 'WRONG_ANSWER'],
      ],
      'test 2 is moot once test 1 failed; medium depends on small',
    );
    assert.deepEqual(
      r.groups?.map((g) => [g.id, g.score, g.judged, g.skipped, g.blockedBy ?? null]),
      [
        ['samples', 0, 1, 0, null],
        ['small', 0, 1, 1, null],
        ['medium', 0, 0, 2, 'small'],
        ['sum', 0, 1, 0, null],
      ],
    );
    assert.deepEqual([r.score, r.skipped], [0, 3]);
  });

  it('a sum group runs every test; stopOnFirstFailure stops everything', async () => {
    const sum = [{ id: 'all', points: 60, scoring: 'sum' as const, tests: [0, 1, 2, 3, 4, 5] }];
    const r = await j.run('python', { files: squares(5), tests, groups: sum });
    assert.deepEqual([r.score, r.passed, r.skipped], [40, 4, 0]);
    const stopped = await j.run('python', { files: squares(5), tests, groups: sum, stopOnFirstFailure: true });
    assert.deepEqual([stopped.tests.length, stopped.skipped, stopped.score], [5, 1, 40]);
  });

  it('partial points count: a min group takes the least, a sum group adds them', async () => {
    const sumTests = [
      { stdin: '1 2\n', expectedOutput: '3\n' },
      { stdin: '5 5\n', expectedOutput: '10\n' },
    ];
    const checker = checkerOf(j, 'sum-checker.cpp');
    const offByOne = solution('a, b = map(int, input().split())\nprint(a + b + (a == 5))\n');
    const min = await j.run('python', {
      files: offByOne,
      tests: sumTests,
      checker,
      groups: [{ id: 'g', points: 50, scoring: 'min', tests: [0, 1] }],
    });
    assert.deepEqual(
      min.tests.map((t) => [t.verdict, t.score]),
      [
        ['ACCEPTED', 1],
        ['PARTIAL', 0.5],
      ],
    );
    assert.deepEqual([min.score, min.groups?.[0]?.passed], [25, false]);
    const sum = await j.run('python', {
      files: offByOne,
      tests: sumTests.map((t, i) => ({ ...t, points: i === 0 ? 10 : 30 })),
      checker,
      groups: [{ id: 'g', scoring: 'sum', tests: [0, 1] }],
    });
    assert.deepEqual([sum.score, sum.maxScore], [25, 40]);
  });

  describe('tests whose data are files', () => {
    let dir = '';
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-judge-data-'));
      fs.chmodSync(dir, 0o711);
      // 2 MB of numbers: more than the solution keeps of its output, read by the checker from its bind
      const numbers = Array.from({ length: 500_000 }, (_, i) => String(i % 1000)).join('\n');
      fs.writeFileSync(path.join(dir, 'in'), `500000\n${numbers}\n`, { mode: 0o644 });
      const total = Array.from({ length: 500_000 }, (_, i) => i % 1000).reduce((a, b) => a + b, 0);
      fs.writeFileSync(path.join(dir, 'ans'), `${total}\n`, { mode: 0o644 });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('stdin streams from the file; the checker sees input and answer bound in its box', async () => {
      const sum = solution('import sys\nn, *xs = map(int, sys.stdin.buffer.read().split())\nprint(sum(xs))\n');
      const data = { stdin: { path: path.join(dir, 'in') }, expectedOutput: { path: path.join(dir, 'ans') } };
      const builtin = await j.run('python', { files: sum, tests: [data] });
      assert.equal(builtin.verdict, 'ACCEPTED', JSON.stringify(builtin.tests[0]?.checker));
      const checker = {
        ...checkerOf(j, 'kattis-sum.py', { protocol: 'kattis' as const }),
        files: [
          {
            name: 'count.py',
            content:
              'import os, sys\nn = open(sys.argv[1]).read().split()\nok = os.path.getsize(sys.argv[1]) > 1_000_000 and sys.stdin.read().split() == open(sys.argv[2]).read().split()\nopen(sys.argv[3] + "judgemessage.txt", "w").write("%d numbers" % (len(n) - 1))\nsys.exit(42 if ok else 43)\n',
          },
        ],
      };
      const r = await j.run('python', { files: sum, tests: [data], checker });
      assert.deepEqual([r.tests[0]?.verdict, r.tests[0]?.checker], ['ACCEPTED', '500000 numbers']);
    });
  });
});
