import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupError, resolveGroups } from './groups.js';

const tests = [{ name: 'a' }, { name: 'b', points: 5 }, { name: 'c', points: 7 }];

test('groups name their tests by name or index, and get them as indices', () => {
  assert.deepEqual(
    resolveGroups(tests, [
      { id: 'one', points: 10, scoring: 'all', tests: ['a'] },
      { id: 'two', scoring: 'sum', dependsOn: ['one'], tests: [1, 'c'] },
    ]),
    [
      { id: 'one', points: 10, scoring: 'all', dependsOn: [], tests: [0] },
      { id: 'two', scoring: 'sum', dependsOn: ['one'], tests: [1, 2] },
    ],
  );
});

test('each fault is a GroupError naming its field', () => {
  const cases: [Parameters<typeof resolveGroups>[1], string][] = [
    [[{ id: 'g', scoring: 'sum', tests: ['a', 'b', 'zz'] }], 'groups[0].tests[2]'],
    [[{ id: 'g', scoring: 'sum', tests: ['a', 'b', 'c', 'a'] }], 'groups[0].tests[3]'],
    [[{ id: 'g', scoring: 'sum', tests: ['a', 'b'] }], 'tests[2]'],
    [[{ id: 'g', scoring: 'min', tests: ['a', 'b', 'c'] }], 'groups[0].scoring'],
    [[{ id: 'g', points: 13, scoring: 'sum', tests: ['a', 'b', 'c'] }], 'groups[0].points'],
    [
      [
        { id: 'g', scoring: 'sum', dependsOn: ['h'], tests: ['a'] },
        { id: 'h', scoring: 'sum', tests: ['b', 'c'] },
      ],
      'groups[0].dependsOn[0]',
    ],
  ];
  for (const [groups, field] of cases)
    assert.throws(
      () => resolveGroups(tests, groups),
      (e: unknown) => e instanceof GroupError && e.field === field,
      field,
    );
  assert.doesNotThrow(() => resolveGroups(tests, [{ id: 'g', points: 12, scoring: 'sum', tests: ['a', 'b', 'c'] }]));
});
