/**
 * A shareable link: the language, the code and stdin in the URL's fragment (never sent to
 * the server), each text deflated and base64url-encoded, so a page of code stays a link.
 *   #lang=python&code=<deflate-raw, base64url>&stdin=<…>
 */
export interface Shared {
  language?: string;
  version?: string;
  code?: string;
  stdin?: string;
}

export async function shareUrl(s: Shared): Promise<string> {
  const params = new URLSearchParams();
  if (s.language) params.set('lang', s.language);
  if (s.version) params.set('version', s.version);
  if (s.code) params.set('code', await pack(s.code));
  if (s.stdin) params.set('stdin', await pack(s.stdin));
  return `${location.origin}${location.pathname}#${params.toString()}`;
}

/** what the page's URL shares; a part that does not decode is left out */
export async function readShared(hash = location.hash): Promise<Shared> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const s: Shared = {};
  const lang = params.get('lang');
  const version = params.get('version');
  if (lang) s.language = lang;
  if (version) s.version = version;
  for (const field of ['code', 'stdin'] as const) {
    const packed = params.get(field);
    const text = packed ? await unpack(packed).catch(() => undefined) : undefined;
    if (text !== undefined) s[field] = text;
  }
  return s;
}

async function pack(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function unpack(packed: string): Promise<string> {
  const binary = atob(packed.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return await new Response(stream).text();
}
