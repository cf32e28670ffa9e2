import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseSize } from './units.js';

test('durations take ms, s, m and h; a bare number is ms', () => {
  const cases: [string, number | undefined][] = [
    ['2s', 2000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['250', 250],
    ['0.5ms', undefined],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['2d', undefined],
    ['-1s', undefined],
    ['', undefined],
    ['s', undefined],
    ['1e3', undefined],
  ];
  for (const [text, want] of cases) assert.equal(parseDuration(text), want, text);
});

test('sizes take k, m, g in powers of 1024; a bare number is bytes', () => {
  const cases: [string, number | undefined][] = [
    ['256m', 256 * 2 ** 20],
    ['1g', 2 ** 30],
    ['64k', 65536],
    ['64K', 65536],
    ['100', 100],
    ['1.5k', 1536],
    ['1.3', undefined],
    ['10t', undefined],
    ['m', undefined],
    ['-5m', undefined],
  ];
  for (const [text, want] of cases) assert.equal(parseSize(text), want, text);
});
