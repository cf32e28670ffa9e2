/**
 * A Polygon package (problem.xml at its root) as a draft, as Polygon's package format
 * describes it:
 *
 *   judging/testset[name=tests]   time-limit (ms) → cpuMs (and a wall clock of twice it
 *                                  plus 100 ms, as Polygon's own strategy), memory-limit
 *                                  (bytes), input-path-pattern and answer-path-pattern
 *                                  (printf %d, e.g. tests/%02d and tests/%02d.a) for test
 *                                  i = 1…test-count, each test's group and points
 *   groups                         points-policy complete-group (all: the group's points,
 *                                  else the sum of its tests') or each-test (sum: each
 *                                  test its points), dependencies; run dependencies first
 *   judging@treat-points-from-checker-as-percent   a checker's points as a percentage
 *                                  of the test's; else as points of the test
 *   assets/checker/source          a testlib checker; assets/interactor/source a testlib
 *                                  interactor, whose output the checker then judges
 *   files/resources *.h            headers the checker and interactor compile with (a
 *                                  package's own testlib.h among them)
 *
 * Refused, naming what: file input or output (judging@input-file, @output-file), run-twice
 * problems, a test file the package lacks (a package without generated tests: download it
 * with them), a source type of a language the workers do not have.
 */
import { ApiError, PROBLEM_MAX_GROUPS, PROBLEM_MAX_NAME, PROBLEM_MAX_TESTS } from '@codebox/protocol';
import type { GroupInput, RuntimeInfo } from '@codebox/protocol';
import type { Draft, DraftProgram, DraftTest } from '../draft.js';
import { languageByExtension } from '../draft.js';
import { child, children, parseXml, path, XmlError } from './xml.js';
import type { XmlElement } from './xml.js';

/** what an importer reads of the package: its file names and small texts */
export interface PackageFiles {
  has(name: string): boolean;
  text(name: string): Promise<string>;
}

export async function fromPolygon(pkg: PackageFiles, runtimes: readonly RuntimeInfo[]): Promise<Draft> {
  let root: XmlElement;
  try {
    root = parseXml(await pkg.text('problem.xml'));
  } catch (err) {
    if (err instanceof XmlError) throw bad('problem.xml', err.message);
    throw err;
  }
  if (root.name !== 'problem') throw bad('problem.xml', `its root is <${root.name}>, not <problem>`);
  const judging = child(root, 'judging');
  for (const attr of ['input-file', 'output-file'] as const)
    if (judging?.attrs[attr])
      throw bad(
        `problem.xml judging@${attr}`,
        `file ${attr.split('-')[0]} (${judging.attrs[attr]}) is not supported: standard streams only`,
      );
  if (judging?.attrs['run-count'] && judging.attrs['run-count'] !== '1')
    throw bad('problem.xml judging@run-count', 'run-twice problems are not supported');
  const testsets = children(judging, 'testset');
  const testset = testsets.find((t) => t.attrs.name === 'tests') ?? testsets[0];
  if (!testset) throw bad('problem.xml judging', 'has no testset');
  const tests = readTests(pkg, testset);
  const headers = children(path(root, 'files', 'resources'), 'file')
    .map((f) => f.attrs.path ?? '')
    .filter((p) => /\.(h|hpp|hh)$/.test(p) && pkg.has(p));
  const program = (what: 'checker' | 'interactor'): DraftProgram | undefined => {
    const source = path(root, 'assets', what, 'source');
    if (!source) return undefined;
    return polygonProgram(pkg, source, headers, runtimes, `problem.xml assets/${what}/source`);
  };
  const checker = program('checker');
  const interactor = program('interactor');
  const percent = judging?.attrs['treat-points-from-checker-as-percent'] === 'true';
  const cpuMs = wholeNumber(text(child(testset, 'time-limit')), 'problem.xml time-limit');
  const memoryBytes = wholeNumber(text(child(testset, 'memory-limit')), 'problem.xml memory-limit');
  const groups = readGroups(testset, tests);
  const names = children(child(root, 'names'), 'name');
  const name = (names.find((n) => n.attrs.language === 'english') ?? names[0])?.attrs.value;
  if (name !== undefined && name.length > PROBLEM_MAX_NAME)
    throw bad('problem.xml names/name@value', `is over ${PROBLEM_MAX_NAME} characters`);
  return {
    format: 'polygon',
    ...(name ? { name } : {}),
    limits: {
      ...(cpuMs === undefined ? {} : { cpuMs, wallMs: 2 * cpuMs + 100 }),
      ...(memoryBytes === undefined ? {} : { memoryBytes }),
    },
    tests: groups ? tests.map(({ group: _g, ...t }) => t) : tests.map(({ group: _g, points: _p, ...t }) => t),
    ...(groups ? { groups } : {}),
    ...(checker
      ? {
          checker: {
            type: 'program' as const,
            ...checker,
            protocol: 'testlib',
            points: percent ? 'percent' : 'absolute',
          },
        }
      : {}),
    ...(interactor
      ? { interactor: { ...interactor, protocol: 'testlib', points: percent ? 'percent' : 'absolute' } }
      : {}),
  };
}

type PolygonTest = DraftTest & { readonly group?: string };

function readTests(pkg: PackageFiles, testset: XmlElement): PolygonTest[] {
  const list = children(child(testset, 'tests'), 'test');
  const count = wholeNumber(text(child(testset, 'test-count')), 'problem.xml test-count') ?? list.length;
  if (count !== list.length) throw bad('problem.xml test-count', `is ${count}, but ${list.length} tests are listed`);
  if (count === 0) throw bad('problem.xml tests', 'lists no test');
  // before any work: a pattern without %d lets one small file serve any number of tests
  if (count > PROBLEM_MAX_TESTS) throw bad('problem.xml tests', `lists over ${PROBLEM_MAX_TESTS} tests`);
  const groupIds = new Set(list.map((t) => t.attrs.group).filter((g) => g !== undefined));
  if (groupIds.size > PROBLEM_MAX_GROUPS) throw bad('problem.xml groups', `has over ${PROBLEM_MAX_GROUPS} groups`);
  const inputs = pattern(testset, 'input-path-pattern', 'tests/%02d');
  const answers = pattern(testset, 'answer-path-pattern', 'tests/%02d.a');
  return list.map((t, i) => {
    const input = printf(inputs, i + 1);
    const answer = printf(answers, i + 1);
    for (const file of [input, answer])
      if (!pkg.has(file))
        throw bad(
          file,
          `test ${i + 1}'s file is not in the package (${t.attrs.method ?? 'manual'} test): upload the package with its generated tests`,
        );
    const points = t.attrs.points === undefined ? undefined : Number(t.attrs.points);
    if (points !== undefined && !(points >= 0))
      throw bad(`problem.xml tests/test[${i + 1}]@points`, 'is not a number of points');
    return {
      name: String(i + 1),
      stdin: { entry: input },
      expectedOutput: { entry: answer },
      ...(points === undefined ? {} : { points }),
      ...(t.attrs.group ? { group: t.attrs.group } : {}),
    };
  });
}

/**
 * The tests' groups in the order they first appear, each with its settings from
 * <groups> (complete-group unless it says each-test), dependencies first. Without groups,
 * tests with points form one group that adds them up; with neither, none.
 */
function readGroups(testset: XmlElement, tests: readonly PolygonTest[]): GroupInput[] | undefined {
  const declared = new Map(children(child(testset, 'groups'), 'group').map((g) => [g.attrs.name ?? '', g]));
  const order = [...new Set(tests.map((t) => t.group).filter((g): g is string => g !== undefined))];
  if (order.length === 0) {
    if (!tests.some((t) => (t.points ?? 0) > 0)) return undefined;
    return [{ id: 'tests', scoring: 'sum', tests: tests.map((t) => t.name as string) }];
  }
  const ungrouped = tests.find((t) => t.group === undefined);
  if (ungrouped) throw bad(`problem.xml tests/test[${ungrouped.name}]`, 'has no group while others have one');
  // one pass: a filter per group was quadratic (100,000 tests in distinct groups took 201 s)
  const byGroup = new Map<string, string[]>(order.map((id) => [id, []]));
  for (const t of tests) byGroup.get(t.group as string)?.push(t.name as string);
  const groups = order.map((id): GroupInput => {
    const g = declared.get(id);
    const each = g?.attrs['points-policy'] === 'each-test';
    const dependsOn = children(child(g, 'dependencies'), 'dependency').map((d) => d.attrs.group ?? '');
    const declaredPoints = g?.attrs.points === undefined ? undefined : Number(g.attrs.points);
    return {
      id,
      scoring: each ? 'sum' : 'all',
      // complete-group: the group's own points when it has them; each-test: its tests' points
      ...(!each && declaredPoints !== undefined ? { points: declaredPoints } : {}),
      ...(dependsOn.length ? { dependsOn } : {}),
      tests: byGroup.get(id) ?? [],
    };
  });
  const known = new Set(order);
  for (const g of groups)
    for (const d of g.dependsOn ?? [])
      if (!known.has(d)) throw bad(`problem.xml groups/group[${g.id}]`, `depends on ${d}, which no test is in`);
  const sorted = dependenciesFirst(groups);
  // a complete-group group with points of its own shares them out: its tests' points go
  const shared = new Set(sorted.filter((g) => g.scoring === 'all' && g.points !== undefined).flatMap((g) => g.tests));
  for (const t of tests as unknown as { name?: string; points?: number }[])
    if (shared.has(t.name as string)) delete t.points;
  return sorted;
}

/**
 * Groups in an order where each comes after those it depends on, else as listed: a
 * depth-first walk with its own stack (a recursion with a copied trail per step was
 * quadratic, and deep chains could overflow the call stack).
 */
function dependenciesFirst(groups: readonly GroupInput[]): GroupInput[] {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const done = new Set<string>();
  const onTrail = new Set<string>();
  const out: GroupInput[] = [];
  for (const first of groups) {
    if (done.has(first.id)) continue;
    // each frame: a group and how many of its dependencies have been walked
    const stack: { g: GroupInput; next: number }[] = [{ g: first, next: 0 }];
    onTrail.add(first.id);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { g: GroupInput; next: number };
      const deps = top.g.dependsOn ?? [];
      if (top.next < deps.length) {
        const d = byId.get(deps[top.next++] as string) as GroupInput;
        if (done.has(d.id)) continue;
        if (onTrail.has(d.id)) {
          const trail = [...stack.map((f) => f.g.id), d.id];
          throw bad(`problem.xml groups/group[${d.id}]`, `its dependencies go round: ${trail.join(' → ')}`);
        }
        onTrail.add(d.id);
        stack.push({ g: d, next: 0 });
        continue;
      }
      stack.pop();
      onTrail.delete(top.g.id);
      done.add(top.g.id);
      out.push(top.g);
    }
  }
  return out;
}

/** Polygon's source types (cpp.g++17, python.3, java11…) by their first word, else the file's extension */
const TYPES: readonly [RegExp, string][] = [
  [/^cpp\./, 'cpp'],
  [/^c\./, 'c'],
  [/^(python|pypy)/, 'python'],
  [/^java/, 'java'],
  [/^kotlin/, 'kotlin'],
  [/^rust/, 'rust'],
  [/^go/, 'go'],
];

function polygonProgram(
  pkg: PackageFiles,
  source: XmlElement,
  headers: readonly string[],
  runtimes: readonly RuntimeInfo[],
  field: string,
): DraftProgram {
  const file = source.attrs.path;
  if (!file || !pkg.has(file)) throw bad(field, `its source ${file ?? '(no path)'} is not in the package`);
  const type = source.attrs.type ?? '';
  const named = TYPES.find(([re]) => re.test(type))?.[1];
  const language = named && runtimes.some((r) => r.id === named) ? named : languageByExtension([file], runtimes);
  if (!language) throw bad(field, `its type ${type || file} is a language the workers do not have`);
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  return {
    language,
    files: [
      { name: base(file), data: { entry: file } },
      ...headers.filter((h) => base(h) !== base(file)).map((h) => ({ name: base(h), data: { entry: h } })),
    ],
  };
}

/** a printf width of at most 2 digits: %400000000d once made a 400M-character name */
const PRINTF = /%(0?)(\d{0,2})d/g;
const ANY_PRINTF = /%0?\d*d/g;
/** a path pattern's length, far more than any package's (tests/%02d.a) */
const MAX_PATTERN_CHARS = 200;

/** a testset's path pattern, or the default; refused past its bounds, naming the field */
function pattern(testset: XmlElement, name: string, fallback: string): string {
  const value = text(child(testset, name)) ?? fallback;
  const field = `problem.xml ${name}`;
  if (value.length > MAX_PATTERN_CHARS) throw bad(field, `is over ${MAX_PATTERN_CHARS} characters`);
  if ((value.match(ANY_PRINTF) ?? []).some((m) => m.replace(/^%0?/, '').length > 3))
    throw bad(field, 'has a printf width of more than 2 digits');
  return value;
}

/** %d, %0Nd and %Nd (N of at most 2 digits), as Polygon's path patterns use them */
export function printf(pattern: string, n: number): string {
  return pattern.replace(PRINTF, (_all, zero: string, width: string) =>
    String(n).padStart(Number(width || 0), zero ? '0' : ' '),
  );
}

function text(e: XmlElement | undefined): string | undefined {
  const t = e?.text.trim();
  return t ? t : undefined;
}

function wholeNumber(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw bad(field, `${JSON.stringify(value)} is not a whole number`);
  return Number(value);
}

function bad(field: string, why: string): ApiError {
  return new ApiError('INVALID_REQUEST', `${field}: ${why}`, { field });
}
