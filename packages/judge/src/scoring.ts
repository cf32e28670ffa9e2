/**
 * Subtasks: groups of tests with points. Pure: a plan from the request (checked, every
 * fault a SpecError naming its field), when a group's remaining tests are moot, and a
 * group's score from its tests' outcomes.
 *
 *   sum   each test earns its worth × its fraction (its own points, else the group's
 *         points shared equally); every test runs
 *   min   the group's points × the smallest fraction; it stops at the first test that
 *         earns nothing
 *   all   nothing unless every test is ACCEPTED, then what sum would give (the group's
 *         points when no checker gave part); it stops at the first test not ACCEPTED
 *
 * A test's fraction: 1 when ACCEPTED, what a checker gave (0..1), else 0. A group with
 * dependsOn runs only when each group it names passed (every test ACCEPTED); otherwise
 * its tests are skipped and it scores 0. Groups run in the order given, and a group may
 * depend only on groups before it.
 */
import { SpecError } from '@codebox/sandbox';
import type { TestVerdict } from '@codebox/protocol';

export const SCORINGS = ['sum', 'min', 'all'] as const;
export type Scoring = (typeof SCORINGS)[number];

export interface JudgeGroup {
  readonly id: string;
  /** what the group is worth; omitted: the sum of its tests' points (0 when none has any) */
  readonly points?: number;
  readonly scoring: Scoring;
  /** groups before this one that must pass first */
  readonly dependsOn?: readonly string[];
  /** indices into the request's tests, in the order they run */
  readonly tests: readonly number[];
}

export interface PlannedGroup {
  readonly id: string;
  /** the most the group can score */
  readonly points: number;
  readonly scoring: Scoring;
  readonly dependsOn: readonly string[];
  /** each test and what it is worth in this group */
  readonly tests: readonly { readonly index: number; readonly worth: number }[];
}

/** how a checker's points are read: part of the test (0..1), a percentage, or points of the test's worth */
export const POINT_SCALES = ['fraction', 'percent', 'absolute'] as const;
export type PointScale = (typeof POINT_SCALES)[number];

export interface TestOutcome {
  readonly verdict: TestVerdict;
  /** 0..1 */
  readonly fraction: number;
}

export function planGroups(
  tests: readonly { readonly points?: number }[],
  groups: readonly JudgeGroup[],
): PlannedGroup[] {
  const owner = new Map<number, string>();
  const seen = new Set<string>();
  const plan = groups.map((g, gi): PlannedGroup => {
    const field = `groups[${gi}]`;
    if (typeof g.id !== 'string' || g.id === '') throw new SpecError(`${field}.id`, 'must be a non-empty string');
    if (seen.has(g.id)) throw new SpecError(`${field}.id`, `"${g.id}" is there twice`);
    if (!(SCORINGS as readonly string[]).includes(g.scoring))
      throw new SpecError(`${field}.scoring`, `must be one of ${SCORINGS.join(', ')}`);
    (g.dependsOn ?? []).forEach((d, di) => {
      if (!seen.has(d)) throw new SpecError(`${field}.dependsOn[${di}]`, `"${d}" is not a group before this one`);
    });
    seen.add(g.id);
    if (g.tests.length === 0) throw new SpecError(`${field}.tests`, 'at least one test');
    g.tests.forEach((index, ti) => {
      if (!Number.isInteger(index) || index < 0 || index >= tests.length)
        throw new SpecError(`${field}.tests[${ti}]`, `no test ${index}`);
      const other = owner.get(index);
      if (other !== undefined)
        throw new SpecError(`${field}.tests[${ti}]`, `test ${index} is already in group "${other}"`);
      owner.set(index, g.id);
    });
    return { id: g.id, scoring: g.scoring, dependsOn: g.dependsOn ?? [], ...worths(g, tests, field) };
  });
  for (let i = 0; i < tests.length; i++)
    if (!owner.has(i)) throw new SpecError(`tests[${i}]`, 'is in no group (with groups, every test is in one)');
  return plan;
}

/** each test's worth and the group's points: the tests' own points, else the group's shared out */
function worths(
  g: JudgeGroup,
  tests: readonly { readonly points?: number }[],
  field: string,
): Pick<PlannedGroup, 'points' | 'tests'> {
  const own = g.tests.some((i) => tests[i]?.points !== undefined);
  if (own) {
    if (g.scoring === 'min')
      throw new SpecError(`${field}.scoring`, 'a min group has points of its own, not points per test');
    const list = g.tests.map((index) => ({ index, worth: tests[index]?.points ?? 0 }));
    const sum = round(list.reduce((n, t) => n + t.worth, 0));
    if (g.points !== undefined && round(g.points) !== sum)
      throw new SpecError(`${field}.points`, `${g.points} is not the sum of its tests' points (${sum})`);
    return { points: sum, tests: list };
  }
  const points = g.points ?? 0;
  return { points, tests: g.tests.map((index) => ({ index, worth: points / g.tests.length })) };
}

/** after this outcome, are the group's remaining tests moot? */
export function moot(scoring: Scoring, outcome: TestOutcome): boolean {
  switch (scoring) {
    case 'sum':
      return false;
    case 'min':
      return outcome.fraction <= 0;
    case 'all':
      return outcome.verdict !== 'ACCEPTED';
  }
}

/**
 * The group's score from the outcomes of the tests that ran (in plan order; a test not
 * run earns nothing, and with all or min the group then scores 0), and whether it passed.
 */
export function scoreGroup(
  group: PlannedGroup,
  outcomes: ReadonlyMap<number, TestOutcome>,
): { score: number; passed: boolean } {
  const all = group.tests.map((t) => ({ worth: t.worth, outcome: outcomes.get(t.index) }));
  const passed = all.every((t) => t.outcome?.verdict === 'ACCEPTED');
  const earned = all.reduce((n, t) => n + t.worth * (t.outcome?.fraction ?? 0), 0);
  switch (group.scoring) {
    case 'sum':
      return { score: round(earned), passed };
    case 'min':
      return { score: round(group.points * Math.min(...all.map((t) => t.outcome?.fraction ?? 0))), passed };
    case 'all':
      return { score: passed ? round(earned) : 0, passed };
  }
}

/**
 * A checker's points as a fraction of the test (0..1): as given, of 100, or of the test's
 * worth (a test worth nothing: any points at all are the whole of it).
 */
export function fractionOf(points: number, scale: PointScale, worth: number): number {
  const f =
    scale === 'fraction'
      ? points
      : scale === 'percent'
        ? points / 100
        : worth > 0
          ? points / worth
          : points > 0
            ? 1
            : 0;
  return Math.min(1, Math.max(0, f));
}

/** sums of fractions of points are kept to 9 decimals: 0.1 + 0.2 is 0.3 */
export function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
