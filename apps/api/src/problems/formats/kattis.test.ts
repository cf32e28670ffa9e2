import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@codebox/protocol';
import type { RuntimeInfo } from '@codebox/protocol';
import { fromKattis } from './kattis.js';

const RUNTIMES = [
  { id: 'cpp', extensions: ['.cpp'] },
  { id: 'python', extensions: ['.py'] },
] as RuntimeInfo[];

function pkg(files: Record<string, string>) {
  return {
    names: Object.keys(files),
    has: (n: string) => n in files,
    text: async (n: string) => Promise.resolve(files[n] ?? ''),
  };
}
const cases = (dir: string, ...names: string[]) =>
  Object.fromEntries(
    names.flatMap((n) => [
      [`${dir}/${n}.in`, ''],
      [`${dir}/${n}.ans`, ''],
    ]),
  );

test('pass-fail: samples then secret in name order, stop at the first rejection, the default validator', async () => {
  const d = await fromKattis(
    pkg({
      'problem.yaml': 'name: Hello\nlimits:\n  memory: 512\n  time_limit: 1.5\nvalidator_flags: float_tolerance 1e-6\n',
      ...cases('data/secret', 'b', 'a'),
      ...cases('data/sample', '1'),
    }),
    RUNTIMES,
  );
  assert.deepEqual(
    d.tests.map((t) => t.name),
    ['sample/1', 'secret/a', 'secret/b'],
  );
  assert.deepEqual(d.limits, { cpuMs: 1500, wallMs: 3100, memoryBytes: 512 << 20 });
  assert.equal(d.stopOnFirstFailure, true);
  assert.deepEqual(d.checker, { type: 'float', absolute: 1e-6, relative: 1e-6, ignoreCase: true });
  assert.equal(d.groups, undefined);
  const sensitive = await fromKattis(
    pkg({
      'problem.yaml': 'validator_flags: case_sensitive\n',
      'data/testdata.yaml': 'on_reject: continue\n',
      ...cases('data/secret', '1'),
    }),
    RUNTIMES,
  );
  assert.deepEqual([sensitive.checker, sensitive.stopOnFirstFailure], [{ type: 'tokens', ignoreCase: false }, false]);
});

test('scoring: each directory of cases a group worth its accept scores; min grading; a custom validator with score', async () => {
  const d = await fromKattis(
    pkg({
      'problem.yaml': 'type: scoring\nvalidation: custom score\nvalidator_flags: strict\n',
      '.timelimit': '2\n',
      'data/secret/g1/testdata.yaml': 'accept_score: 10\n',
      'data/secret/g2/testdata.yaml': 'accept_score: 25\ngrader_flags: min\n',
      'data/secret/g3/testdata.yaml': 'on_reject: continue\n',
      ...cases('data/sample', '1'),
      ...cases('data/secret/g1', '1', '2'),
      ...cases('data/secret/g2', '1', '2'),
      ...cases('data/secret/g3', '1'),
      'output_validators/check/check.py': '',
      'output_validators/check/util.py': '',
    }),
    RUNTIMES,
  );
  assert.deepEqual(d.groups, [
    { id: 'sample', scoring: 'all', tests: ['sample/1'] },
    { id: 'secret/g1', scoring: 'all', tests: ['secret/g1/1', 'secret/g1/2'] },
    { id: 'secret/g2', scoring: 'min', points: 25, tests: ['secret/g2/1', 'secret/g2/2'] },
    { id: 'secret/g3', scoring: 'sum', tests: ['secret/g3/1'] },
  ]);
  assert.deepEqual(
    d.tests.map((t) => t.points ?? null),
    [0, 10, 10, null, null, 1],
  );
  assert.deepEqual(d.checker, {
    type: 'program',
    language: 'python',
    files: [
      { name: 'check.py', data: { entry: 'output_validators/check/check.py' } },
      { name: 'util.py', data: { entry: 'output_validators/check/util.py' } },
    ],
    protocol: 'kattis',
    args: ['strict'],
    points: 'absolute',
  });
});

test('refused, naming what it does not support', async () => {
  const base = { 'problem.yaml': '', ...cases('data/secret', '1') };
  const field = (name: string) => (e: unknown) => e instanceof ApiError && e.details?.field === name;
  await assert.rejects(fromKattis(pkg({ ...base, 'include/cpp/driver.cpp': '' }), RUNTIMES), field('include/'));
  await assert.rejects(
    fromKattis(pkg({ ...base, 'data/testdata.yaml': 'grading: custom\n' }), RUNTIMES),
    field('data/secret testdata.yaml grading'),
  );
  await assert.rejects(
    fromKattis(pkg({ ...base, 'data/testdata.yaml': 'grader_flags: avg\n' }), RUNTIMES),
    /avg is not supported/,
  );
  await assert.rejects(
    fromKattis(pkg({ ...base, 'problem.yaml': 'validator_flags: space_change_sensitive\n' }), RUNTIMES),
    /space_change_sensitive/,
  );
  await assert.rejects(
    fromKattis(
      pkg({
        ...base,
        'problem.yaml': 'validation: custom\n',
        'output_validators/a.py': '',
        'output_validators/b.py': '',
      }),
      RUNTIMES,
    ),
    /more than one validator/,
  );
  await assert.rejects(
    fromKattis(pkg({ 'problem.yaml': '', ...cases('data/sample', '1') }), RUNTIMES),
    field('data/secret'),
  );
  await assert.rejects(fromKattis(pkg({ ...base, 'problem.yaml': 'type: [x\n' }), RUNTIMES), /not valid YAML/);
});

test('over the JSON limits (10,000 tests, 200 groups): refused before any work, naming the field', async () => {
  const field = (name: string) => (e: unknown) => e instanceof ApiError && e.details?.field === name;
  const many = (n: number, dirs: number) =>
    pkg({
      'problem.yaml': 'type: scoring\n',
      ...(Object.assign(
        {},
        ...Array.from({ length: n }, (_, i) => cases(`data/secret/g${i % dirs}`, `t${i}`)),
      ) as Record<string, string>),
    });
  const started = Date.now();
  // a filter of every case per directory: 20,000 cases in 20,000 directories took seconds
  await assert.rejects(fromKattis(many(20_000, 20_000), RUNTIMES), field('data'));
  await assert.rejects(fromKattis(many(10_001, 1), RUNTIMES), field('data'));
  await assert.rejects(fromKattis(many(402, 201), RUNTIMES), field('data'));
  assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
  const d = await fromKattis(many(10_000, 200), RUNTIMES);
  assert.equal(d.groups?.length, 200);
});
