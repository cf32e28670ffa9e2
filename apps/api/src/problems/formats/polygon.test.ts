import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@codebox/protocol';
import type { RuntimeInfo } from '@codebox/protocol';
import { fromPolygon, printf } from './polygon.js';

const RUNTIMES = [
  { id: 'cpp', extensions: ['.cpp'] },
  { id: 'python', extensions: ['.py'] },
] as RuntimeInfo[];

function pkg(xml: string, files: string[]) {
  const all = new Set(['problem.xml', ...files]);
  return { has: (n: string) => all.has(n), text: async () => Promise.resolve(xml) };
}

const testsXml = (
  tests: string,
  groups = '',
  judging = '',
) => `<problem><names><name language="english" value="P"/></names>
<judging ${judging}><testset name="tests"><time-limit>2000</time-limit><memory-limit>67108864</memory-limit>
<test-count>${(tests.match(/<test[\s/]/g) ?? []).length}</test-count>
<input-path-pattern>tests/%02d</input-path-pattern><answer-path-pattern>tests/%02d.a</answer-path-pattern>
<tests>${tests}</tests>${groups}</testset></judging>
<assets><checker type="testlib"><source path="files/check.cpp" type="cpp.g++17"/></checker></assets></problem>`;

const files = (n: number) => [
  'files/check.cpp',
  ...Array.from({ length: n }, (_, i) => [printf('tests/%02d', i + 1), printf('tests/%02d.a', i + 1)]).flat(),
];

test('limits, tests by pattern, the checker; no groups and no points: none', async () => {
  const d = await fromPolygon(pkg(testsXml('<test method="manual"/><test method="generated"/>'), files(2)), RUNTIMES);
  assert.deepEqual(d.limits, { cpuMs: 2000, wallMs: 4100, memoryBytes: 67108864 });
  assert.deepEqual(d.tests[1], { name: '2', stdin: { entry: 'tests/02' }, expectedOutput: { entry: 'tests/02.a' } });
  assert.equal(d.groups, undefined);
  assert.deepEqual(d.checker, {
    type: 'program',
    language: 'cpp',
    files: [{ name: 'check.cpp', data: { entry: 'files/check.cpp' } }],
    protocol: 'testlib',
    points: 'absolute',
  });
});

test('groups: complete-group shares its points, each-test adds its tests’, dependencies first; percent points', async () => {
  const xml = testsXml(
    '<test group="b" points="5"/><test group="a" points="0"/><test group="b" points="7"/><test group="c" points="3"/>',
    `<groups><group name="b" points-policy="each-test"><dependencies><dependency group="a"/></dependencies></group>
     <group name="a" points="0"/><group name="c" points="10" points-policy="complete-group"/></groups>`,
    'treat-points-from-checker-as-percent="true"',
  );
  const d = await fromPolygon(pkg(xml, files(4)), RUNTIMES);
  assert.deepEqual(d.groups, [
    { id: 'a', scoring: 'all', points: 0, tests: ['2'] },
    { id: 'b', scoring: 'sum', dependsOn: ['a'], tests: ['1', '3'] },
    { id: 'c', scoring: 'all', points: 10, tests: ['4'] },
  ]);
  assert.deepEqual(
    d.tests.map((t) => t.points ?? null),
    [5, null, 7, null],
    'a complete-group group with points of its own: its tests’ go',
  );
  assert.equal(typeof d.checker === 'object' && 'points' in d.checker ? d.checker.points : '', 'percent');
});

test('refused, naming what: file I/O, missing generated tests, dependency cycles, unknown languages', async () => {
  const field = (name: string) => (e: unknown) => e instanceof ApiError && e.details?.field === name;
  await assert.rejects(
    fromPolygon(pkg(testsXml('<test/>', '', 'input-file="input.txt"'), files(1)), RUNTIMES),
    field('problem.xml judging@input-file'),
  );
  await assert.rejects(
    fromPolygon(pkg(testsXml('<test/><test method="generated"/>'), files(1)), RUNTIMES),
    field('tests/02'),
  );
  const cycle = testsXml(
    '<test group="a"/><test group="b"/>',
    '<groups><group name="a"><dependencies><dependency group="b"/></dependencies></group><group name="b"><dependencies><dependency group="a"/></dependencies></group></groups>',
  );
  await assert.rejects(fromPolygon(pkg(cycle, files(2)), RUNTIMES), /go round/);
  const pascal = testsXml('<test/>').replace('check.cpp" type="cpp.g++17"', 'check.pas" type="pas.fpc"');
  await assert.rejects(
    fromPolygon(pkg(pascal, ['files/check.pas', ...files(1)]), RUNTIMES),
    /language the workers do not have/,
  );
});

test('printf: %d, %02d, %3d', () => {
  assert.deepEqual([printf('t/%d', 7), printf('t/%02d.a', 7), printf('%3d', 7)], ['t/7', 't/07.a', '  7']);
});

test('path patterns: a printf width past 2 digits or a pattern past 200 chars is refused, naming the field', async () => {
  const field = (name: string) => (e: unknown) => e instanceof ApiError && e.details?.field === name;
  // %400000000d once made a 400M-char name
  const wide = testsXml('<test/>').replace('tests/%02d</input', 'tests/%100d</input');
  await assert.rejects(
    fromPolygon(pkg(wide, [...files(1), printf('tests/%100d', 1)]), RUNTIMES),
    field('problem.xml input-path-pattern'),
  );
  const long = testsXml('<test/>').replace('tests/%02d.a<', `${'x/'.repeat(150)}%02d.a<`);
  await assert.rejects(
    fromPolygon(pkg(long, [...files(1), `${'x/'.repeat(150)}01.a`]), RUNTIMES),
    field('problem.xml answer-path-pattern'),
  );
});

test('over the JSON limits (10,000 tests, 200 groups, names of 200): refused before any work, naming the field', async () => {
  const field = (name: string) => (e: unknown) => e instanceof ApiError && e.details?.field === name;
  // a pattern without %d: one file serves any number of tests (200,000 made a 52 MB definition)
  const many = (n: number, attrs = (_i: number) => '') =>
    testsXml(Array.from({ length: n }, (_, i) => `<test ${attrs(i)}/>`).join(''))
      .replace('tests/%02d<', 'tests/in<')
      .replace('tests/%02d.a<', 'tests/ans<');
  const one = ['files/check.cpp', 'tests/in', 'tests/ans'];
  const started = Date.now();
  await assert.rejects(fromPolygon(pkg(many(10_001), one), RUNTIMES), field('problem.xml tests'));
  await assert.rejects(
    fromPolygon(
      pkg(
        many(201, (i) => `group="g${i}"`),
        one,
      ),
      RUNTIMES,
    ),
    field('problem.xml groups'),
  );
  const named = testsXml('<test/>').replace('value="P"', `value="${'P'.repeat(201)}"`);
  await assert.rejects(fromPolygon(pkg(named, files(1)), RUNTIMES), field('problem.xml names/name@value'));
  assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  // at the cap, with distinct groups of a dependency chain: fast (was a filter per group, a recursive sort)
  const chain = `<groups>${Array.from({ length: 200 }, (_, i) => `<group name="g${i}">${i ? `<dependencies><dependency group="g${i - 1}"/></dependencies>` : ''}</group>`).join('')}</groups>`;
  const atCap = testsXml(Array.from({ length: 10_000 }, (_, i) => `<test group="g${i % 200}"/>`).join(''), chain)
    .replace('tests/%02d<', 'tests/in<')
    .replace('tests/%02d.a<', 'tests/ans<');
  const d = await fromPolygon(pkg(atCap, one), RUNTIMES);
  assert.equal(d.groups?.length, 200);
  assert.equal(d.groups?.[199]?.tests.length, 50);
});
