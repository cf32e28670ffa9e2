import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeOutput, encodeOutputWithin, maxEncodedBytes, ResultBudget } from './result.js';
import type { TestJson } from './result.js';

/** what a text costs inside a JSON string, as Redis and the wire hold it */
const jsonBytes = (text: string): number => Buffer.byteLength(JSON.stringify(text)) - 2;
const base64Bytes = (n: number): number => 4 * Math.ceil(n / 3);

test('valid UTF-8 stays text; anything else is base64, byte for byte', () => {
  assert.deepEqual(encodeOutput(Buffer.from('héllo ✓\n')), { text: 'héllo ✓\n', encoding: 'utf8', jsonBytes: 12 });
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
  const out = encodeOutput(bytes);
  assert.equal(out.encoding, 'base64');
  assert.deepEqual(Buffer.from(out.text, 'base64'), bytes);
});

test("text is sent as text only while its JSON escapes cost at most 3/2 of it (or base64's size)", () => {
  const cases: [string, 'utf8' | 'base64'][] = [
    ['3\n', 'utf8'],
    ['\n\n', 'utf8'], // 4 escaped, 4 as base64: not over
    ['\n\n\n', 'base64'], // 6 escaped, 4 as base64, 4.5 as 3/2
    ['y\n'.repeat(512), 'utf8'], // `yes`: 3/2 exactly
    ['1\n2\n3\n', 'utf8'],
    ['\n\n\n\n\n\nab', 'base64'], // 14 escaped, 12 as 3/2 and as base64
    ['{"a":"b"}\n', 'utf8'],
    ['\x01', 'base64'], // \u0001: 6 for 1
    ['"a"', 'base64'], // 5 escaped, 4 as base64
    ['tab\tseparated\tvalues\n', 'utf8'],
    ['\x1b[31mred\x1b[0m\n', 'base64'], // ANSI colours: \u001b each
  ];
  for (const [text, encoding] of cases) {
    const out = encodeOutput(Buffer.from(text));
    assert.equal(out.encoding, encoding, JSON.stringify(text));
    assert.equal(out.jsonBytes, out.encoding === 'utf8' ? jsonBytes(out.text) : out.text.length, JSON.stringify(text));
  }
});

test('no output costs more than maxEncodedBytes: 1 MiB of \\x01 is 4/3 MiB (base64), not 6 MiB', () => {
  const out = encodeOutput(Buffer.alloc(1 << 20, 1));
  assert.equal(out.encoding, 'base64');
  assert.equal(out.jsonBytes, base64Bytes(1 << 20));
  // any mix of bytes that JSON escapes, passes through, or that are not UTF-8
  const alphabet = [0x61, 0x0a, 0x09, 0x01, 0x1f, 0x22, 0x5c, 0x7f, 0xc3, 0xa9, 0xe2, 0x9c, 0x93, 0xff];
  for (let i = 0; i < 2000; i++) {
    const bytes = Buffer.from(
      Array.from({ length: i % 40 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]!),
    );
    const o = encodeOutput(bytes);
    assert.ok(o.jsonBytes <= maxEncodedBytes(bytes.length), `${bytes.toString('hex')}: ${o.jsonBytes}`);
    assert.ok(maxEncodedBytes(bytes.length) <= (3 * bytes.length) / 2 + 4);
    assert.equal(o.jsonBytes, jsonBytes(o.text), bytes.toString('hex'));
    assert.ok(Buffer.from(o.text, o.encoding).equals(bytes), `${bytes.toString('hex')} comes back`);
  }
});

test('encodeOutputWithin: the longest head that fits', () => {
  const text = Buffer.from('a'.repeat(100));
  assert.deepEqual(encodeOutputWithin(text, 1000), { ...encodeOutput(text), keptBytes: 100 });
  const cut = encodeOutputWithin(text, 40);
  assert.deepEqual([cut.text, cut.encoding, cut.keptBytes, cut.jsonBytes], ['a'.repeat(40), 'utf8', 40, 40]);
  const ones = encodeOutputWithin(Buffer.alloc(100, 1), 40);
  assert.deepEqual([ones.encoding, ones.keptBytes, ones.jsonBytes], ['base64', 30, 40]);
  // ✓ is 3 bytes: 8 of them end inside one, so not text; 3/4 of 8 is two whole ones
  const marks = encodeOutputWithin(Buffer.from('✓✓✓✓'), 8);
  assert.deepEqual([marks.text, marks.encoding, marks.keptBytes], ['✓✓', 'utf8', 6]);
  for (let max = 0; max < 50; max++)
    assert.ok(encodeOutputWithin(Buffer.from('x\n\x01"é✓'.repeat(20)), max).jsonBytes <= max, `max ${max}`);
});

test('ResultBudget: tests are kept whole while it lasts, then stored without their output and flagged', () => {
  const test = (i: number, out: string): TestJson => ({
    index: i,
    verdict: 'ACCEPTED',
    status: 'OK',
    exitCode: 0,
    signal: null,
    cpuMs: 1,
    wallMs: 2,
    memoryBytes: 3,
    stdout: out,
    stderr: '',
    stdoutEncoding: 'utf8',
    stderrEncoding: 'utf8',
    stdoutTruncated: false,
    stderrTruncated: false,
  });
  const size = Buffer.byteLength(JSON.stringify(test(0, 'x'.repeat(1000))));
  const budget = new ResultBudget(2 * size + 10);
  assert.deepEqual(budget.test(test(0, 'x'.repeat(1000))), test(0, 'x'.repeat(1000)));
  assert.deepEqual(budget.test(test(1, 'x'.repeat(1000))), test(1, 'x'.repeat(1000)));
  const third = budget.test(test(2, 'x'.repeat(1000)));
  assert.deepEqual(
    [third.stdout, third.stdoutTruncated, third.stderrTruncated, third.verdict],
    ['', true, false, 'ACCEPTED'],
    'empty output is not flagged',
  );
  // once spent, spent: a smaller test after it is cut too, so what is kept is a prefix of the tests
  assert.equal(budget.test(test(3, 'y')).stdout, '');
  const charged = new ResultBudget(100);
  charged.charge({ stdout: 'z'.repeat(200) });
  assert.equal(charged.test(test(0, 'w')).stdout, '', 'what was charged first (the compile) counts');
});
