/**
 * Enough XML for a Polygon problem.xml: elements with attributes and text, comments,
 * processing instructions, a doctype and CDATA skipped or kept as text, the five named
 * entities and numeric ones. No namespaces, no DTD. Pure; a malformed document throws,
 * saying where.
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

export class XmlError extends Error {}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let at = 0;
  const fail = (why: string): never => {
    const line = source.slice(0, at).split('\n').length;
    throw new XmlError(`line ${line}: ${why}`);
  };
  while (at < source.length) {
    const lt = source.indexOf('<', at);
    const top = stack[stack.length - 1] as XmlElement;
    if (lt < 0) {
      top.text += decode(source.slice(at), fail);
      break;
    }
    if (lt > at) top.text += decode(source.slice(at, lt), fail);
    at = lt;
    if (source.startsWith('<!--', at)) at = skipPast(source, at, '-->', fail);
    else if (source.startsWith('<?', at)) at = skipPast(source, at, '?>', fail);
    else if (source.startsWith('<![CDATA[', at)) {
      const end = source.indexOf(']]>', at);
      if (end < 0) fail('unterminated CDATA');
      top.text += source.slice(at + 9, end);
      at = end + 3;
    } else if (source.startsWith('<!', at)) at = skipPast(source, at, '>', fail);
    else if (source.startsWith('</', at)) {
      const end = source.indexOf('>', at);
      if (end < 0) fail('unterminated end tag');
      const name = source.slice(at + 2, end).trim();
      if (stack.length < 2 || top.name !== name) fail(`</${name}> does not close <${top.name}>`);
      stack.pop();
      at = end + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
        source.slice(at, at + 65_536),
      );
      if (!m) return fail('malformed start tag');
      const attrs: Record<string, string> = {};
      for (const a of (m[2] ?? '').matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
        attrs[a[1] as string] = decode(a[2] ?? a[3] ?? '', fail);
      const element: XmlElement = { name: m[1] as string, attrs, children: [], text: '' };
      top.children.push(element);
      if (!m[3]) stack.push(element);
      at += m[0].length;
    }
  }
  if (stack.length > 1) fail(`<${(stack[stack.length - 1] as XmlElement).name}> is never closed`);
  const doc = root.children[0];
  if (!doc || root.children.length > 1) fail('a document has exactly one root element');
  return doc as XmlElement;
}

function skipPast(source: string, at: number, end: string, fail: (why: string) => never): number {
  const i = source.indexOf(end, at);
  if (i < 0) fail(`unterminated ${source.slice(at, at + 4)}`);
  return i + end.length;
}

function decode(text: string, fail: (why: string) => never): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#\d+|\w+);/g, (_all, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      // String.fromCodePoint throws a RangeError past U+10FFFF; a lone surrogate is no character either
      if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) fail(`&${ref}; is not a character`);
      return String.fromCodePoint(code);
    }
    const named = NAMED[ref];
    return named ?? fail(`unknown entity &${ref};`);
  });
}

/** the first child of that name */
export function child(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

/** every child of that name */
export function children(e: XmlElement | undefined, name: string): XmlElement[] {
  return e?.children.filter((c) => c.name === name) ?? [];
}

/** along a path of names: child(child(e, a), b)… */
export function path(e: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  return names.reduce<XmlElement | undefined>((at, n) => child(at, n), e);
}
