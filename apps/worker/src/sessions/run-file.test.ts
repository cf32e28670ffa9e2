import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGUAGES, Registry } from '@codebox/runtimes';
import { DEFAULT_LIMITS } from '@codebox/sandbox';
import { CallRefused } from './errors.js';
import { planRun, runtimeFor } from './run-file.js';

const registry = new Registry('host', LANGUAGES);

test("a C++ file: the runtime's compile step, then its program, with the program's arguments", () => {
  const rt = runtimeFor(registry, 'src/main.cpp', undefined);
  const plan = planRun(rt, { run: 'src/main.cpp', sources: ['src/util.cpp'], args: ['x'] }, DEFAULT_LIMITS, '');
  assert.deepEqual(
    plan.steps.map((s) => s.stage),
    ['compile', 'run'],
  );
  assert.ok(plan.steps[0]?.argv.includes('src/main.cpp') && plan.steps[0].argv.includes('src/util.cpp'));
  assert.deepEqual(plan.steps[1]?.argv, ['./main', 'x']);
});

test("Java runs the class the file's text says; Python has no compile step", () => {
  const java = planRun(
    runtimeFor(registry, 'Sol.java', undefined),
    { run: 'Sol.java' },
    DEFAULT_LIMITS,
    'public class Sol { public static void main(String[] a) {} }',
  );
  assert.equal(java.steps[1]?.argv.at(-1), 'Sol');
  const py = planRun(runtimeFor(registry, 'a.py', undefined), { run: 'a.py' }, DEFAULT_LIMITS, '');
  assert.deepEqual(py.steps, [{ stage: 'run', argv: ['python3', 'a.py'] }]);
});

test('an unknown extension takes the session language, else it is refused naming the field', () => {
  assert.equal(runtimeFor(registry, 'script', 'python').id, 'python');
  assert.throws(
    () => runtimeFor(registry, 'x.cobol', undefined),
    (err: unknown) => err instanceof CallRefused && err.error.details?.field === 'run',
  );
  assert.throws(
    () => planRun(runtimeFor(registry, 'a.py', undefined), { run: 'a.py', sources: ['b.py'] }, DEFAULT_LIMITS, ''),
    (err: unknown) => err instanceof CallRefused && err.error.details?.field === 'sources',
  );
});

test('a name a tool would read as an option is an operand', () => {
  const plan = planRun(runtimeFor(registry, '-x.c', undefined), { run: '-x.c' }, DEFAULT_LIMITS, '');
  assert.ok(plan.steps[0]?.argv.includes('./-x.c'));
});
