import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeOutput } from './result.js';

test('valid UTF-8 stays text; anything else is base64, byte for byte', () => {
  assert.deepEqual(encodeOutput(Buffer.from('héllo ✓\n')), { text: 'héllo ✓\n', encoding: 'utf8' });
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
  const out = encodeOutput(bytes);
  assert.equal(out.encoding, 'base64');
  assert.deepEqual(Buffer.from(out.text, 'base64'), bytes);
});
