/**
 * Judge0's callback_url against hostile targets, with real HTTP on 127.0.0.1 only: a
 * redirect is never followed, and the default policy refuses loopback however it is
 * spelled, at submission, before any job runs. The address policy itself is unit-tested
 * beside it (apps/api/src/judge0/callback-policy.test.ts).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { post, serviceSkip, until, useStack } from './stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Received {
  method: string;
  url: string;
  body: string;
}

/** a listener on 127.0.0.1 that records every request and answers with `answer` */
async function listen(
  answer: (res: http.ServerResponse) => void = (res) => res.end(),
): Promise<{ port: number; received: Received[]; close(): void }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body });
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, received, close: () => void server.close() };
}

describe('Judge0 callbacks: a redirect is answered, never followed', { skip: serviceSkip() }, () => {
  const t = useStack({ api: { callbackAllow: ['127.0.0.1'] } });

  it('301, 302, 303, 307 and 308 to a second loopback listener: the first gets the PUT once, the second nothing', async () => {
    const second = await listen();
    // the control: the redirect target is there and hears a request that is sent to it
    assert.equal((await fetch(`http://127.0.0.1:${second.port}/control`)).status, 200);
    const codes = [301, 302, 303, 307, 308];
    const firsts = await Promise.all(
      codes.map((code) =>
        listen((res) => {
          res.writeHead(code, { Location: `http://127.0.0.1:${second.port}/elsewhere?from=${code}` });
          res.end();
        }),
      ),
    );
    try {
      for (const [i, first] of firsts.entries()) {
        const r = await post(
          `${t.s.url}/judge0/submissions`,
          JSON.stringify({
            source_code: 'echo redirected',
            language_id: 46,
            callback_url: `http://127.0.0.1:${first.port}/done/${codes[i]}`,
          }),
        );
        assert.equal(r.status, 201, r.text);
      }
      await until(async () => firsts.every((f) => f.received.length > 0), 20_000);
      await sleep(2_500); // a retry or a followed redirect would have come by now
      for (const [i, first] of firsts.entries()) {
        assert.deepEqual(
          first.received.map((r) => [r.method, r.url]),
          [['PUT', `/done/${codes[i]}`]],
          `${codes[i]}: the PUT, once`,
        );
      }
      assert.deepEqual(
        second.received.map((r) => [r.method, r.url]),
        [['GET', '/control']],
        'nothing but the control reached the redirect target',
      );
    } finally {
      for (const l of [second, ...firsts]) l.close();
    }
  });

  it('an allowed host with a user name or password, another scheme or no URL at all is 422 naming callback_url', async () => {
    const l = await listen();
    try {
      const urls = [
        `http://user:pass@127.0.0.1:${l.port}/`,
        `http://user@127.0.0.1:${l.port}/`,
        `ftp://127.0.0.1:${l.port}/`,
        'file:///etc/passwd',
        'not a url',
      ];
      for (const url of urls) {
        const r = await post(
          `${t.s.url}/judge0/submissions`,
          JSON.stringify({ source_code: 'echo x', language_id: 46, callback_url: url }),
        );
        assert.equal(r.status, 422, `${url}: ${r.text}`);
        assert.deepEqual(Object.keys(r.json), ['callback_url'], url);
      }
      // the control: the same listener, named plainly, does get its callback
      const control = await post(
        `${t.s.url}/judge0/submissions`,
        JSON.stringify({ source_code: 'echo x', language_id: 46, callback_url: `http://127.0.0.1:${l.port}/control` }),
      );
      assert.equal(control.status, 201, control.text);
      await until(async () => l.received.length > 0, 20_000);
      await sleep(2_500);
      assert.deepEqual(
        l.received.map((r) => [r.method, r.url]),
        [['PUT', '/control']],
      );
    } finally {
      l.close();
    }
  });
});

describe('Judge0 callbacks: the default policy refuses loopback at submission', { skip: serviceSkip() }, () => {
  const t = useStack();
  const submissions = () => `${t.s.url}/judge0/submissions`;

  it('every spelling of a loopback address is 422 naming callback_url, and the listener hears nothing', async () => {
    const l = await listen();
    try {
      // the control: the listener is there and hears a request that is sent to it
      assert.equal((await fetch(`http://127.0.0.1:${l.port}/control`)).status, 200);
      const hosts = [
        '127.0.0.1',
        'localhost',
        'LOCALHOST.',
        'cb.localhost',
        '[::1]',
        '2130706433',
        '0x7f.1',
        '0177.0.0.1',
        '127.1',
        '[::ffff:127.0.0.1]',
        '[::ffff:7f00:1]',
        '[0:0:0:0:0:ffff:127.0.0.1]',
        '0.0.0.0',
        '0',
        '[::]',
      ];
      for (const host of hosts) {
        const url = `http://${host}:${l.port}/`;
        for (const query of ['', 'wait=true']) {
          const r = await post(
            `${submissions()}?${query}`,
            JSON.stringify({ source_code: 'echo leaked', language_id: 46, callback_url: url }),
          );
          assert.equal(r.status, 422, `${url} ${query}: ${r.text}`);
          assert.deepEqual(Object.keys(r.json), ['callback_url'], url);
          assert.ok(Array.isArray(r.json.callback_url) && typeof r.json.callback_url[0] === 'string', url);
        }
      }
      const batch = await post(
        `${submissions()}/batch`,
        JSON.stringify({
          submissions: [
            { source_code: 'echo leaked', language_id: 46, callback_url: `http://2130706433:${l.port}/` },
            { source_code: 'echo fine', language_id: 46 },
          ],
        }),
      );
      assert.equal(batch.status, 201);
      const [refused, accepted] = batch.json as unknown as Record<string, unknown>[];
      assert.deepEqual(Object.keys(refused ?? {}), ['callback_url']);
      assert.ok(accepted?.token);
      await sleep(2_500); // a callback that slipped through would have come by now
      assert.deepEqual(
        l.received.map((r) => [r.method, r.url]),
        [['GET', '/control']],
        'nothing but the control',
      );
    } finally {
      l.close();
    }
  });
});
