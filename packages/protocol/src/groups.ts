/**
 * Subtasks on the wire: groups of tests with points, checked once here for the API (a
 * 400 naming the field) and for the judge (which takes them by index). Pure.
 *
 * A group names its tests by name or by index; every test is in exactly one group; a
 * group depends only on groups before it; a min group has points of its own, not points
 * per test; a group whose tests have points is worth their sum.
 */

export const SCORINGS = ['sum', 'min', 'all'] as const;
export type Scoring = (typeof SCORINGS)[number];

export interface GroupInput {
  id: string;
  /** what the group is worth; omitted: the sum of its tests' points (0 when none has any) */
  points?: number;
  scoring: Scoring;
  /** groups before this one that must pass (every test ACCEPTED) for it to run */
  dependsOn?: string[];
  /** its tests, by name or index, in the order they run */
  tests: (string | number)[];
}

/** a group with its tests as indices */
export interface ResolvedGroup {
  readonly id: string;
  readonly points?: number;
  readonly scoring: Scoring;
  readonly dependsOn: readonly string[];
  readonly tests: readonly number[];
}

/** what is wrong, and where */
export class GroupError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'GroupError';
  }
}

export function resolveGroups(
  tests: readonly { readonly name?: string; readonly points?: number }[],
  groups: readonly GroupInput[],
): ResolvedGroup[] {
  const byName = new Map<string, number>();
  tests.forEach((t, i) => {
    if (t.name !== undefined && !byName.has(t.name)) byName.set(t.name, i);
  });
  const owner = new Map<number, string>();
  const seen = new Set<string>();
  const resolved = groups.map((g, gi): ResolvedGroup => {
    const field = `groups[${gi}]`;
    if (typeof g.id !== 'string' || g.id === '') throw new GroupError(`${field}.id`, 'must be a non-empty string');
    if (seen.has(g.id)) throw new GroupError(`${field}.id`, `"${g.id}" is there twice`);
    if (!(SCORINGS as readonly string[]).includes(g.scoring))
      throw new GroupError(`${field}.scoring`, `must be one of ${SCORINGS.join(', ')}`);
    (g.dependsOn ?? []).forEach((d, di) => {
      if (!seen.has(d)) throw new GroupError(`${field}.dependsOn[${di}]`, `"${d}" is not a group before this one`);
    });
    seen.add(g.id);
    if (g.tests.length === 0) throw new GroupError(`${field}.tests`, 'at least one test');
    const indices = g.tests.map((ref, ti) => {
      const index = typeof ref === 'string' ? byName.get(ref) : ref;
      if (index === undefined || !Number.isInteger(index) || index < 0 || index >= tests.length)
        throw new GroupError(`${field}.tests[${ti}]`, `no test ${JSON.stringify(ref)}`);
      const other = owner.get(index);
      if (other !== undefined)
        throw new GroupError(`${field}.tests[${ti}]`, `test ${JSON.stringify(ref)} is already in group "${other}"`);
      owner.set(index, g.id);
      return index;
    });
    const own = indices.filter((i) => tests[i]?.points !== undefined);
    if (own.length > 0 && g.scoring === 'min')
      throw new GroupError(`${field}.scoring`, 'a min group has points of its own, not points per test');
    if (own.length > 0 && g.points !== undefined) {
      const sum = roundPoints(indices.reduce((n, i) => n + (tests[i]?.points ?? 0), 0));
      if (roundPoints(g.points) !== sum)
        throw new GroupError(`${field}.points`, `${g.points} is not the sum of its tests' points (${sum})`);
    }
    return {
      id: g.id,
      ...(g.points === undefined ? {} : { points: g.points }),
      scoring: g.scoring,
      dependsOn: g.dependsOn ?? [],
      tests: indices,
    };
  });
  for (let i = 0; i < tests.length; i++)
    if (!owner.has(i)) throw new GroupError(`tests[${i}]`, 'is in no group (with groups, every test is in one)');
  return resolved;
}

/** sums of fractions of points are kept to 9 decimals: 0.1 + 0.2 is 0.3 */
export function roundPoints(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
