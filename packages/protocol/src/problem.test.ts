import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './errors.js';
import { checkProblem, checkProblemRequest } from './problem.js';
import { PROBLEM_MAX_GROUPS, PROBLEM_MAX_NAME, PROBLEM_MAX_TESTS } from './schemas.js';

const MAX = {
  cpuMs: 60_000,
  wallMs: 300_000,
  memoryBytes: 4 << 30,
  pids: 1024,
  outputBytes: 64 << 20,
  stackBytes: 1 << 30,
  fileSizeBytes: 1 << 30,
};
const ctx = { runtimes: [], maxima: MAX };
const field = (name: string) => (e: unknown) => e instanceof ApiError && e.details?.field === name;

test("a package's problem (never met the schema) is held to the JSON upload's bounds, one home each", () => {
  const tests = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `t${i}` }));
  assert.throws(() => checkProblem({ tests: tests(PROBLEM_MAX_TESTS + 1) }, ctx), field('tests'));
  assert.throws(() => checkProblem({ name: 'x'.repeat(PROBLEM_MAX_NAME + 1), tests: tests(1) }, ctx), field('name'));
  assert.throws(
    () => checkProblem({ tests: [{ name: 'x'.repeat(PROBLEM_MAX_NAME + 1) }] }, ctx),
    field('tests[0].name'),
  );
  const groups = (n: number, id = (i: number) => `g${i}`) =>
    Array.from({ length: n }, (_, i) => ({ id: id(i), scoring: 'sum' as const, tests: [`t${i}`] }));
  assert.throws(
    () => checkProblem({ tests: tests(PROBLEM_MAX_GROUPS + 1), groups: groups(PROBLEM_MAX_GROUPS + 1) }, ctx),
    field('groups'),
  );
  assert.throws(
    () => checkProblem({ tests: tests(1), groups: groups(1, () => 'g'.repeat(65)) }, ctx),
    field('groups[0].id'),
  );
  checkProblem({ tests: tests(PROBLEM_MAX_TESTS) }, ctx);
  // the schema says the same numbers
  assert.throws(
    () => checkProblemRequest({ tests: tests(PROBLEM_MAX_TESTS + 1).map((t) => ({ ...t, expectedOutput: '' })) }, ctx),
    field('tests'),
  );
});
