/**
 * The pages for people over plain HTTP (test/web drives them in a browser): the
 * playground and its assets with their cache headers, gzip and 304s, the API reference's
 * page pointing at this server only, and the queue dashboard — off without
 * CODEBOX_ADMIN_KEY, saying how to turn it on; on with it, behind that key, over the real
 * queue, which then keeps its last finished entries to list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceSkip, useStack } from './stack.js';

const ADMIN_KEY = 'pages-admin-key-0123456789';

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

  it('/admin/queues without CODEBOX_ADMIN_KEY: off, saying how to turn it on', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await fetch(`${t.s.url}${path}`);
      assert.equal(res.status, 404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'ROUTE_NOT_FOUND');
      assert.match(body.error.message, /queue dashboard is off: start the API with CODEBOX_ADMIN_KEY set/);
    }
  });
});

describe('the queue dashboard, on', { skip: serviceSkip() }, () => {
  const t = useStack({ api: { adminKey: ADMIN_KEY } });

  it('asks for the admin key, then shows the real queue and its finished jobs', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const job = await t.s.client().run({ language: 'bash', files: [{ content: `echo ${n}` }] });
      ids.push(job.id);
    }
    const refused = await fetch(`${t.s.url}/admin/queues/api/queues`);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic realm="codebox admin"/);
    const basic = `Basic ${Buffer.from(`anyone:${ADMIN_KEY}`).toString('base64')}`;
    const page = await fetch(`${t.s.url}/admin/queues`, { headers: { authorization: basic } });
    assert.equal(page.status, 200);
    assert.doesNotMatch(await page.text(), /fonts\.googleapis\.com/, 'nothing from the internet');
    const res = await fetch(`${t.s.url}/admin/queues/api/queues?activeQueue=jobs&status=completed`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(res.status, 200);
    const { queues } = (await res.json()) as {
      queues: { name: string; readOnlyMode: boolean; counts: { completed: number }; jobs: { id: string }[] }[];
    };
    const jobs = queues.find((q) => q.name === 'jobs');
    assert.ok(jobs, JSON.stringify(queues.map((q) => q.name)));
    assert.equal(jobs.readOnlyMode, true);
    assert.equal(jobs.counts.completed, 3);
    assert.deepEqual(jobs.jobs.map((j) => j.id).sort(), [...ids].sort());
    // read-only: a queue entry is not retried or removed around the job's record
    const retry = await fetch(`${t.s.url}/admin/queues/api/queues/jobs/retry/completed`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.notEqual(retry.status, 200);
  });
});

/**
 * A browser's revalidation: the ETag it holds, and max-age=0 (fetch would otherwise add
 * no-cache to a conditional request, which asks for the whole answer)
 */
function revalidate(res: Response): Record<string, string> {
  return { 'If-None-Match': res.headers.get('etag') ?? '', 'Cache-Control': 'max-age=0' };
}
