import assert from 'node:assert/strict';
import { test } from 'node:test';
import { child, children, parseXml, path, XmlError } from './xml.js';

test('elements, attributes, text, entities and CDATA; comments, declarations and doctypes skipped', () => {
  const doc = parseXml(
    '<?xml version="1.0"?>\n<!DOCTYPE x>\n<!-- a comment --><problem a="1 &amp; 2" b=\'&#65;&#x42;\'><names><name value="A&lt;B"/></names><t><![CDATA[<raw>]]> &gt;</t></problem>',
  );
  assert.equal(doc.name, 'problem');
  assert.deepEqual(doc.attrs, { a: '1 & 2', b: 'AB' });
  assert.equal(path(doc, 'names', 'name')?.attrs.value, 'A<B');
  assert.equal(child(doc, 't')?.text, '<raw> >');
  assert.equal(children(doc, 'names').length, 1);
});

test('a malformed document says where', () => {
  assert.throws(
    () => parseXml('<a>\n<b></a>'),
    (e: unknown) => e instanceof XmlError && /line 2: <\/a> does not close <b>/.test(e.message),
  );
  assert.throws(() => parseXml('<a>'), /never closed/);
  assert.throws(() => parseXml('<a/><b/>'), /exactly one root/);
  assert.throws(() => parseXml('<a>&nbsp;</a>'), /unknown entity/);
});

test('a character reference past U+10FFFF or to a surrogate is an XmlError (a 400), not a RangeError', () => {
  for (const ref of ['&#x110000;', '&#1114112;', '&#xD800;', '&#99999999999;'])
    assert.throws(() => parseXml(`<a>${ref}</a>`), XmlError, ref);
  assert.equal(parseXml('<a>&#x10FFFF;</a>').text, '\u{10FFFF}');
});
