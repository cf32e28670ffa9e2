/**
 * One callback delivery against listeners on 127.0.0.1 (the only address these tests
 * reach), with the name lookup replaced: the addresses are vetted once and the connection
 * goes to the vetted one, so a name that answers otherwise the second time cannot steer it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { callbackPolicy } from './callback-policy.js';
import { putCallback } from './callback-request.js';
import type { ResolvedAddress } from './callback-request.js';

interface Heard {
  method: string;
  url: string;
  host: string;
  body: string;
}

const heard: Heard[] = [];
let answer: (res: http.ServerResponse) => void = (res) => res.end();
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    heard.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', body });
    answer(res);
  });
});
let port = 0;
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const LOOPBACK = callbackPolicy(['127.0.0.1'], true);
const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });

/** a lookup that answers each call with the next of `answers` (the last one repeated), counting calls */
function lookups(...answers: ResolvedAddress[][]): {
  lookup: (host: string) => Promise<ResolvedAddress[]>;
  asked: string[];
} {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (host) => (asked.push(host), answers[Math.min(asked.length - 1, answers.length - 1)] ?? []),
  };
}

function reset(a: (res: http.ServerResponse) => void = (res) => res.end()): void {
  heard.length = 0;
  answer = a;
}

test('a name is looked up once, its address vetted, and the PUT goes to that address with the name as Host', async () => {
  reset();
  // a second lookup would answer 127.0.0.2, where nothing listens: the PUT arriving proves it was not asked
  const l = lookups([v4('127.0.0.1')], [v4('127.0.0.2')]);
  const got = await putCallback(`http://callback.test:${port}/done?x=1`, '{"a":1}', {
    policy: callbackPolicy(['127.0.0.1'], true),
    timeoutMs: 2_000,
    lookup: l.lookup,
  });
  assert.deepEqual(got, { outcome: 'answered', status: 200 });
  assert.deepEqual(l.asked, ['callback.test']);
  assert.deepEqual(heard, [{ method: 'PUT', url: '/done?x=1', host: `callback.test:${port}`, body: '{"a":1}' }]);
});

test('refused when any address of the name is refused, with no connection made', async () => {
  reset();
  for (const answers of [
    [v4('127.0.0.1'), v4('127.0.0.2')],
    [v4('127.0.0.2'), v4('127.0.0.1')],
    [{ address: '::1', family: 6 }, v4('127.0.0.1')],
  ]) {
    const got = await putCallback(`http://callback.test:${port}/`, '{}', {
      policy: LOOPBACK,
      timeoutMs: 2_000,
      lookup: lookups(answers).lookup,
    });
    assert.equal(got.outcome, 'refused', JSON.stringify(answers));
  }
  const none = await putCallback(`http://callback.test:${port}/`, '{}', {
    policy: LOOPBACK,
    timeoutMs: 2_000,
    lookup: lookups([]).lookup,
  }).catch((err: Error) => err);
  assert.ok(none instanceof Error, 'a name with no address is a failed request');
  assert.deepEqual(heard, []);
});

test('checked again at delivery: a URL the policy refuses now is refused without a lookup or a connection', async () => {
  reset();
  const l = lookups([v4('127.0.0.1')]);
  for (const url of [
    `http://127.0.0.1:${port}/`,
    `http://2130706433:${port}/`,
    `http://localhost:${port}/`,
    `http://u:p@127.0.0.1:${port}/`,
    `ftp://127.0.0.1:${port}/`,
  ]) {
    const got = await putCallback(url, '{}', { policy: callbackPolicy([], true), timeoutMs: 2_000, lookup: l.lookup });
    assert.equal(got.outcome, 'refused', url);
  }
  assert.deepEqual(l.asked, []);
  assert.deepEqual(heard, []);
});

test('a literal address is connected to as written, with no lookup', async () => {
  reset();
  const l = lookups([v4('127.0.0.2')]);
  const got = await putCallback(`http://2130706433:${port}/lit`, '{}', {
    policy: LOOPBACK,
    timeoutMs: 2_000,
    lookup: l.lookup,
  });
  assert.deepEqual(got, { outcome: 'answered', status: 200 });
  assert.deepEqual(l.asked, []);
  assert.deepEqual(
    heard.map((h) => [h.url, h.host]),
    [['/lit', `127.0.0.1:${port}`]],
  );
});

test('a redirect is an answer: its status is returned and its Location is not visited', async () => {
  for (const status of [301, 302, 303, 307, 308]) {
    reset((res) => {
      res.writeHead(status, { Location: `http://127.0.0.1:${port}/elsewhere` });
      res.end();
    });
    const got = await putCallback(`http://127.0.0.1:${port}/first`, '{}', { policy: LOOPBACK, timeoutMs: 2_000 });
    assert.deepEqual(got, { outcome: 'answered', status });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      heard.map((h) => h.url),
      ['/first'],
      String(status),
    );
  }
});

test('a listener that never answers fails the request within its time', async () => {
  reset(() => undefined);
  const t0 = Date.now();
  await assert.rejects(putCallback(`http://127.0.0.1:${port}/silent`, '{}', { policy: LOOPBACK, timeoutMs: 300 }));
  assert.ok(Date.now() - t0 < 2_000);
  const silent = async (): Promise<ResolvedAddress[]> => new Promise(() => undefined);
  await assert.rejects(
    putCallback(`http://callback.test:${port}/`, '{}', { policy: LOOPBACK, timeoutMs: 300, lookup: silent }),
    'a lookup that never ends too',
  );
});
