import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpecError } from '@codebox/sandbox';
import { fractionOf, moot, planGroups, scoreGroup } from './scoring.js';
import type { JudgeGroup, TestOutcome } from './scoring.js';

const AC: TestOutcome = { verdict: 'ACCEPTED', fraction: 1 };
const WA: TestOutcome = { verdict: 'WRONG_ANSWER', fraction: 0 };
const half: TestOutcome = { verdict: 'PARTIAL', fraction: 0.5 };

const specError = (field: string) => (e: unknown) => e instanceof SpecError && e.field === field;

test('a plan: the group points shared out, or the sum of the tests’ own', () => {
  const plan = planGroups(
    [{}, {}, { points: 10 }, { points: 15 }],
    [
      { id: 'a', points: 30, scoring: 'all', tests: [0, 1] },
      { id: 'b', scoring: 'sum', dependsOn: ['a'], tests: [2, 3] },
    ],
  );
  assert.deepEqual(plan, [
    {
      id: 'a',
      points: 30,
      scoring: 'all',
      dependsOn: [],
      tests: [
        { index: 0, worth: 15 },
        { index: 1, worth: 15 },
      ],
    },
    {
      id: 'b',
      points: 25,
      scoring: 'sum',
      dependsOn: ['a'],
      tests: [
        { index: 2, worth: 10 },
        { index: 3, worth: 15 },
      ],
    },
  ]);
});

test('a plan refuses what cannot be scored, naming the field', () => {
  const g = (x: Partial<JudgeGroup>): JudgeGroup => ({ id: 'g', scoring: 'sum', tests: [0], ...x });
  const cases: [JudgeGroup[], string][] = [
    [[g({ id: '' })], 'groups[0].id'],
    [[g({}), g({ tests: [1] })], 'groups[1].id'],
    [[g({ scoring: 'max' as never })], 'groups[0].scoring'],
    [[g({ dependsOn: ['g'] })], 'groups[0].dependsOn[0]'],
    [[g({ tests: [] })], 'groups[0].tests'],
    [[g({ tests: [7] })], 'groups[0].tests[0]'],
    [[g({ tests: [0, 0] })], 'groups[0].tests[1]'],
    [[g({ tests: [0] })], 'tests[1]'],
  ];
  for (const [groups, field] of cases) assert.throws(() => planGroups([{}, {}], groups), specError(field), field);
  assert.throws(
    () => planGroups([{ points: 5 }], [{ id: 'm', scoring: 'min', tests: [0] }]),
    specError('groups[0].scoring'),
  );
  assert.throws(
    () => planGroups([{ points: 5 }], [{ id: 's', points: 6, scoring: 'sum', tests: [0] }]),
    specError('groups[0].points'),
  );
});

test('moot: all stops at the first test not ACCEPTED, min at the first that earns nothing, sum never', () => {
  assert.deepEqual([moot('all', half), moot('all', WA), moot('all', AC)], [true, true, false]);
  assert.deepEqual([moot('min', half), moot('min', WA)], [false, true]);
  assert.deepEqual([moot('sum', WA), moot('sum', half)], [false, false]);
});

test('scores: sum adds what each test earns, min takes the least, all is all or nothing', () => {
  const group = (scoring: 'sum' | 'min' | 'all') =>
    planGroups([{}, {}, {}], [{ id: 'g', points: 30, scoring, tests: [0, 1, 2] }])[0]!;
  const outcomes = (...o: TestOutcome[]) => new Map(o.map((x, i) => [i, x]));
  assert.deepEqual(scoreGroup(group('sum'), outcomes(AC, half, WA)), { score: 15, passed: false });
  assert.deepEqual(scoreGroup(group('min'), outcomes(AC, half, AC)), { score: 15, passed: false });
  assert.deepEqual(scoreGroup(group('all'), outcomes(AC, AC, AC)), { score: 30, passed: true });
  assert.deepEqual(scoreGroup(group('all'), outcomes(AC, half, AC)), { score: 0, passed: false });
  // a test that did not run (moot) earns nothing
  assert.deepEqual(scoreGroup(group('min'), outcomes(AC)), { score: 0, passed: false });
  assert.deepEqual(scoreGroup(group('sum'), outcomes(AC, AC)), { score: 20, passed: false });
  // Kattis: ACCEPTED with a score below the test's worth counts in an all group
  assert.deepEqual(scoreGroup(group('all'), outcomes(AC, AC, { verdict: 'ACCEPTED', fraction: 0.1 })), {
    score: 21,
    passed: true,
  });
  const thirds = planGroups([{}, {}, {}], [{ id: 't', points: 0.3, scoring: 'sum', tests: [0, 1, 2] }])[0]!;
  assert.equal(scoreGroup(thirds, outcomes(AC, AC, AC)).score, 0.3);
});

test("a checker's points as a fraction of the test: as given, of 100, or of its worth; kept within 0..1", () => {
  assert.equal(fractionOf(0.25, 'fraction', 10), 0.25);
  assert.equal(fractionOf(40, 'percent', 10), 0.4);
  assert.equal(fractionOf(4, 'absolute', 10), 0.4);
  assert.equal(fractionOf(12, 'absolute', 10), 1);
  assert.equal(fractionOf(-1, 'fraction', 10), 0);
  assert.equal(fractionOf(3, 'absolute', 0), 1);
});
