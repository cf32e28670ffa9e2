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
import { GroupError, POINT_SCALES, resolveGroups, roundPoints, SCORINGS } from '@codebox/protocol';
import type { Scoring, TestVerdict } from '@codebox/protocol';
import { SpecError } from '@codebox/sandbox';

export { POINT_SCALES, SCORINGS };
export type { Scoring };

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
export type PointScale = (typeof POINT_SCALES)[number];

export interface TestOutcome {
  readonly verdict: TestVerdict;
  /** 0..1 */
  readonly fraction: number;
}

/** the groups checked (the wire's rules, protocol's resolveGroups) and each test's worth */
export function planGroups(
  tests: readonly { readonly points?: number }[],
  groups: readonly JudgeGroup[],
): PlannedGroup[] {
  let resolved;
  try {
    resolved = resolveGroups(
      tests,
      groups.map((g) => ({ ...g, dependsOn: [...(g.dependsOn ?? [])], tests: [...g.tests] })),
    );
  } catch (err) {
    if (err instanceof GroupError) throw new SpecError(err.field, err.message.slice(err.field.length + 2));
    throw err;
  }
  return resolved.map((g) => {
    // the tests' own points, else the group's shared out
    const own = g.tests.some((i) => tests[i]?.points !== undefined);
    const points = own ? round(g.tests.reduce((n, i) => n + (tests[i]?.points ?? 0), 0)) : (g.points ?? 0);
    const worth = (i: number) => (own ? (tests[i]?.points ?? 0) : points / g.tests.length);
    return { ...g, points, tests: g.tests.map((index) => ({ index, worth: worth(index) })) };
  });
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

export const round = roundPoints;
