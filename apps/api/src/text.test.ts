import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asText } from './text.js';

test('asText: strings as they are, numbers as digits, the rest as its JSON', () => {
  assert.equal(asText('a b'), 'a b');
  assert.equal(asText(71), '71');
  assert.equal(asText(true), 'true');
  assert.equal(asText(null), '');
  assert.equal(asText(undefined), '');
  assert.equal(asText({ id: 71 }), '{"id":71}');
  assert.equal(asText(['x']), '["x"]');
});
