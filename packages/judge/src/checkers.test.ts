import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check } from './checkers.js';

const yes = (t: Parameters<typeof check>[0], a: string, b: string) =>
  assert.ok(check(t, a, b).accepted, `${t.type}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
const no = (t: Parameters<typeof check>[0], a: string, b: string, msg?: RegExp) => {
  const r = check(t, a, b);
  assert.ok(!r.accepted, `${t.type}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  if (msg) assert.match(r.message, msg);
};

test('exact: byte for byte', () => {
  yes({ type: 'exact' }, '1 2\n', '1 2\n');
  no({ type: 'exact' }, '1 2 \n', '1 2\n', /first difference at byte 3 \(line 1\)/);
  no({ type: 'exact' }, '1 2', '1 2\n');
});

test('trailing-whitespace: line ends and final blank lines do not count, the rest does', () => {
  const t = { type: 'trailing-whitespace' } as const;
  yes(t, '1 2  \r\n3\t\n\n\n', '1 2\n3');
  no(t, ' 1 2\n', '1 2\n', /line 1: got " 1 2", expected "1 2"/);
  no(t, '1  2\n', '1 2\n');
  no(t, '1\n\n2\n', '1\n2\n', /line 2/);
  no(t, '1\n', '1\n2\n', /line 2: got nothing/);
});

test('tokens: any whitespace between, same tokens in order', () => {
  const t = { type: 'tokens' } as const;
  yes(t, '1\n2   3\t', ' 1 2\n\n3 ');
  no(t, '1 2', '1 2 3', /token 3: got nothing, expected "3"/);
  no(t, '1 3 2', '1 2 3');
});

test('float: numbers within absolute or relative tolerance; other tokens exactly', () => {
  yes({ type: 'float' }, '0.3333333 YES', '0.333333333 YES');
  no({ type: 'float' }, '0.334', '0.333333333', /token 1: got 0.334, expected 0.333333333/);
  yes({ type: 'float', absolute: 1e-2 }, '0.334', '0.3333');
  yes({ type: 'float', relative: 1e-3 }, '1000000.5', '1000000');
  no({ type: 'float' }, 'yes', 'YES');
  yes({ type: 'float' }, '1e-7', '0');
  no({ type: 'float' }, 'nan', '0');
});

test('tokens and float may ignore case, as Kattis’s default validator does', () => {
  yes({ type: 'tokens', ignoreCase: true }, 'Yes 3', 'YES 3');
  no({ type: 'tokens' }, 'Yes', 'YES');
  yes({ type: 'float', ignoreCase: true, absolute: 0.1 }, 'possible 1.05', 'POSSIBLE 1');
  no({ type: 'float', ignoreCase: true }, 'possible', 'impossible');
});
