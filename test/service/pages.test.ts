/**
 * The pages for people over plain HTTP (test/web drives them in a browser): the
 * playground and its assets with their cache headers, gzip and 304s, and the API
 * reference's page pointing at this server only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceSkip, useStack } from './stack.js';

describe('the pages', { skip: serviceSkip() }, () => {
  const t = useStack();

  it('/ is the playground, revalidated each time; its assets are immutable, gzipped, 304 when held', async () => {
    const page = await fetch(`${t.s.url}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy') ?? '', /^default-src 'self';/);
    const html = await page.text();
    assert.match(html, /<title>codebox playground<\/title>/);
    const again = await fetch(`${t.s.url}/`, { headers: revalidate(page) });
    assert.equal(again.status, 304);
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(scripts.some((s) => /^\/assets\/app\.\w+\.js$/.test(s)) && scripts.some((s) => s.endsWith('.css')));
    for (const asset of scripts) {
      const res = await fetch(`${t.s.url}${asset}`); // fetch asks for gzip and undoes it
      assert.equal(res.status, 200, asset);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('vary'), 'Accept-Encoding');
      if (!asset.endsWith('.svg')) assert.equal(res.headers.get('content-encoding'), 'gzip', asset);
      assert.ok((await res.arrayBuffer()).byteLength > 0);
      const held = await fetch(`${t.s.url}${asset}`, { headers: revalidate(res) });
      assert.equal(held.status, 304);
    }
    const plain = await fetch(`${t.s.url}${scripts[0]}`, { headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal((await fetch(`${t.s.url}/assets/nothing.js`)).status, 404);
  });

  it('/docs: the reference reads /openapi.json, with its script from here', async () => {
    const res = await fetch(`${t.s.url}/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'self';/);
    const html = await res.text();
    const script = /<script src="(\/assets\/scalar\.\w+\.js)">/.exec(html)?.[1];
    assert.ok(script, html);
    assert.equal((await fetch(`${t.s.url}${script}`)).status, 200);
    assert.doesNotMatch(html, /https?:\/\//, 'nothing named from elsewhere');
  });
});

/**
 * A browser's revalidation: the ETag it holds, and max-age=0 (fetch would otherwise add
 * no-cache to a conditional request, which asks for the whole answer)
 */
function revalidate(res: Response): Record<string, string> {
  return { 'If-None-Match': res.headers.get('etag') ?? '', 'Cache-Control': 'max-age=0' };
}
