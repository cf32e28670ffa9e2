/**
 * Sessions through the HTTP API, on real boxes, a real Redis and a real worker (the engine's
 * own tests cover the box beneath): state across commands, a background server a later
 * command queries, two sessions apart, limits over the whole session, `run` with the
 * language's steps, files and archives, links planted in the workspace against every file
 * route, bad paths, a terminal answering prompts through a WebSocket, keys, and the ends —
 * DELETE, the idle timeout and the lifetime — leaving nothing behind.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { CodeboxClient, CodeboxError } from '@codebox/client';
import { SessionStore } from '@codebox/jobs';
import type { CommandResultJson, SessionView, WebSocketConstructor } from '@codebox/client';
import { CGROUP_PARENT, WORK_ROOT } from '../support.js';
import { serviceSkip, until, useStack } from './stack.js';

const KEY_A = 'session-key-aaaaaaaaaaaa';
const KEY_B = 'session-key-bbbbbbbbbbbb';

/** a raw request, as a client that does not normalise `..` or `%2e` would send it */
function raw(url: string, method: string, target: string, key: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method, path: target, headers: { Authorization: `Bearer ${key}` } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** the box directories and cgroups the stack's engine holds now */
function boxesHeld(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (/^b-\d+-/.test(e.name)) found.push(path.join(dir, e.name));
      else if (depth > 0) walk(path.join(dir, e.name), depth - 1);
    }
  };
  if (fs.existsSync(WORK_ROOT)) walk(WORK_ROOT, 1);
  for (const h of ['/sys/fs/cgroup', ...fs.readdirSync('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`)]) {
    const parent = path.join(h, CGROUP_PARENT);
    if (fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) walk(parent, 1);
  }
  return found;
}

const ok = (r: CommandResultJson): string => {
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
};

describe('sessions through the API', { skip: serviceSkip() }, () => {
  const t = useStack({ api: { apiKeys: [KEY_A, KEY_B], sessionsPerKey: 3 }, worker: { sessions: 5 } });
  const a = (): CodeboxClient => t.s.client(KEY_A);
  const b = (): CodeboxClient => t.s.client(KEY_B);

  it('keeps state across commands: a file one writes, the next reads; cwd and env', async () => {
    const s = await a().sessions.create({ env: { GREETING: 'hi' } });
    assert.equal(s.status, 'ready');
    ok(await a().sessions.exec(s.id, { command: 'mkdir -p src && echo "$GREETING there" > src/note.txt' }));
    assert.equal(ok(await a().sessions.exec(s.id, { argv: ['cat', 'note.txt'], cwd: 'src' })), 'hi there\n');
    assert.equal(ok(await a().sessions.exec(s.id, { command: 'cat', stdin: 'from stdin' })), 'from stdin');
    const failed = await a().sessions.exec(s.id, { command: 'echo oops >&2; exit 3' });
    assert.deepEqual([failed.exitCode, failed.stderr], [3, 'oops\n']);
    const slow = await a().sessions.exec(s.id, { command: 'sleep 5', timeoutMs: 300 });
    assert.equal(slow.timedOut, true);
    await a().sessions.delete(s.id);
  });

  it('streams a command as it prints, its start first and its exit last', async () => {
    const s = await a().sessions.create();
    const events: string[] = [];
    for await (const e of a().sessions.stream(s.id, { command: 'for i in 1 2 3; do echo $i; sleep 0.1; done' }))
      events.push(e.type === 'stdout' ? `stdout:${e.data.data.trim()}` : e.type);
    assert.equal(events[0], 'start');
    assert.equal(events.at(-1), 'exit');
    assert.deepEqual(
      events.filter((e) => e.startsWith('stdout')),
      ['stdout:1', 'stdout:2', 'stdout:3'],
    );
    await a().sessions.delete(s.id);
  });

  it('a background server on the box loopback answers a later command; its output is read and it is killed', async () => {
    const s = await a().sessions.create({ network: true });
    ok(await a().sessions.exec(s.id, { command: 'echo served > index.html' }));
    const server = await a().sessions.start(s.id, {
      argv: ['python3', '-u', '-m', 'http.server', '8000', '--bind', '127.0.0.1'],
    });
    assert.equal(server.status, 'running');
    const fetchIt =
      'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:8000/index.html").read().decode(), end="")';
    await until(
      async () => (await a().sessions.exec(s.id, { argv: ['python3', '-c', fetchIt] })).stdout === 'served\n',
      10_000,
    );
    const listed = await a().sessions.processes(s.id);
    assert.deepEqual(
      listed.map((p) => [p.id, p.status]),
      [[server.id, 'running']],
    );
    const out = await a().sessions.output(s.id, server.id);
    assert.match(out.chunks.map((c) => c.data).join(''), /GET \/index.html/, 'the server logged the request');
    const killed = await a().sessions.kill(s.id, server.id);
    assert.equal(killed.status, 'exited');
    assert.deepEqual(await a().sessions.processes(s.id), [], 'an exited process that was killed is forgotten');
    await a().sessions.delete(s.id);
  });

  it('two sessions share nothing: files, /tmp, processes', async () => {
    const [x, y] = await Promise.all([a().sessions.create(), a().sessions.create()]);
    ok(await a().sessions.exec(x.id, { command: 'echo x > mine && echo x > /tmp/mine' }));
    await a().sessions.start(x.id, { argv: ['sleep', '300'] });
    const seen = await a().sessions.exec(y.id, {
      command: 'ls; ls /tmp; for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null | tr "\\0" " "; echo; done',
    });
    assert.doesNotMatch(seen.stdout, /mine|sleep 300/);
    await Promise.all([a().sessions.delete(x.id), a().sessions.delete(y.id)]);
  });

  it('limits hold over the whole session: a memory bomb is killed within it and the session says so', async () => {
    const s = await a().sessions.create({ limits: { memoryBytes: 64 << 20 } });
    const bomb = await a().sessions.exec(s.id, {
      argv: ['python3', '-c', 'x = []\nwhile True: x.append(bytearray(1 << 20))'],
    });
    assert.equal(bomb.oomKilled, true);
    const view = await a().sessions.get(s.id);
    assert.ok((view.usage?.oomKills ?? 0) >= 1, JSON.stringify(view.usage));
    assert.equal(ok(await a().sessions.exec(s.id, { command: 'echo alive' })), 'alive\n', 'the session lives on');
    await a().sessions.delete(s.id);
  });

  it('runs a workspace file with its language’s own steps', async (c) => {
    if (!fs.existsSync('/usr/bin/g++')) return c.skip('no g++ in the host root');
    const s = await a().sessions.create();
    await a().sessions.writeFile(
      s.id,
      'main.cpp',
      '#include <cstdio>\nint main() { int a, b; scanf("%d %d", &a, &b); printf("%d\\n", a + b); }',
    );
    const r = await a().sessions.exec(s.id, { run: 'main.cpp', stdin: '2 40' });
    assert.deepEqual([r.stage, r.compile?.exitCode, r.stdout], ['run', 0, '42\n']);
    const broken = await a().sessions.exec(s.id, { run: 'bad.cpp' });
    assert.equal(broken.stage, 'compile');
    await a().sessions.delete(s.id);
  });

  it('files: raw bytes both ways, a listing, a directory, removal, an archive out and back in', async () => {
    const s = await a().sessions.create({ files: [{ name: 'seed/a.txt', content: 'seed' }] });
    const bytes = Buffer.alloc(3 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 251;
    await a().sessions.writeFile(s.id, 'data/blob.bin', bytes, { mode: 0o600 });
    assert.ok(Buffer.from(await a().sessions.readFile(s.id, 'data/blob.bin')).equals(bytes));
    const listing = await a().sessions.list(s.id, { depth: 2 });
    const blob = listing.find((e) => e.path === 'data/blob.bin');
    assert.deepEqual([blob?.type, blob?.size, blob?.mode], ['file', bytes.length, 0o600]);
    await a().sessions.mkdir(s.id, 'empty/dir');
    assert.ok((await a().sessions.list(s.id, { path: 'empty' })).some((e) => e.path === 'dir' && e.type === 'dir'));
    const tar = Buffer.from(await new Response(await a().sessions.download(s.id)).arrayBuffer());
    await a().sessions.remove(s.id, 'seed');
    await assert.rejects(a().sessions.readFile(s.id, 'seed/a.txt'), (e: CodeboxError) => e.code === 'FILE_NOT_FOUND');
    await a().sessions.upload(s.id, tar, { path: 'restored' });
    assert.equal(Buffer.from(await a().sessions.readFile(s.id, 'restored/seed/a.txt')).toString(), 'seed');
    await a().sessions.delete(s.id);
  });

  it('links planted in the workspace lead nowhere, through every file route', async () => {
    const s = await a().sessions.create();
    ok(
      await a().sessions.exec(s.id, {
        command: 'ln -s /etc/passwd leak && ln -s / root && ln -s /tmp tmp && echo keep > /tmp/keep',
      }),
    );
    const refused =
      (what: string) =>
      (e: CodeboxError): boolean => {
        assert.ok(e.status === 404 || e.status === 409, `${what}: ${e.message}`);
        return true;
      };
    const attempts: [string, () => Promise<unknown>][] = [
      ['read leak', () => a().sessions.readFile(s.id, 'leak')],
      ['read root/etc/passwd', () => a().sessions.readFile(s.id, 'root/etc/passwd')],
      ['write tmp/planted', () => a().sessions.writeFile(s.id, 'tmp/planted', 'x')],
      ['write leak', () => a().sessions.writeFile(s.id, 'leak', 'x')],
      ['list root', () => a().sessions.list(s.id, { path: 'root' })],
      ['mkdir tmp/made', () => a().sessions.mkdir(s.id, 'tmp/made')],
      ['remove tmp/keep', () => a().sessions.remove(s.id, 'tmp/keep')],
    ];
    for (const [what, attempt] of attempts) await assert.rejects(attempt(), refused(what), what);
    // an archive of the link is the link, not what it points at (tar in the box follows none)
    const tar = Buffer.from(await new Response(await a().sessions.download(s.id, { path: 'root' })).arrayBuffer());
    assert.ok(tar.length <= 10240 && !tar.includes('root:x:0:0'), 'the link, not the tree it points at');
    const after = await a().sessions.exec(s.id, { command: 'ls /tmp' });
    assert.equal(after.stdout, 'keep\n', 'nothing was written through a link, nor removed');
    const listing = await a().sessions.list(s.id);
    assert.equal(listing.find((e) => e.path === 'leak')?.type, 'symlink', 'a link is listed as one');
    await a().sessions.remove(s.id, 'leak');
    assert.equal(
      ok(await a().sessions.exec(s.id, { command: 'test -e /etc/passwd && echo target-intact' })),
      'target-intact\n',
    );
    await a().sessions.delete(s.id);
  });

  it('a planted "..", an absolute path, NUL or an over-long name is a 400 naming the path', async () => {
    const s = await a().sessions.create();
    const base = `/v1/sessions/${s.id}/files`;
    for (const target of [
      `${base}/../../etc/passwd`,
      `${base}/a/%2e%2e/b`,
      `${base}//etc/passwd`,
      `${base}/a%00b`,
      `${base}/${'n'.repeat(256)}`,
      `${base}/a%2Fb`,
      `${base}?path=../x`,
      `/v1/sessions/${s.id}/archive?path=/etc`,
    ]) {
      for (const method of target.includes('?') ? ['GET'] : ['GET', 'PUT', 'DELETE']) {
        const r = await raw(t.s.url, method, target, KEY_A);
        assert.equal(r.status, 400, `${method} ${target}: ${r.body}`);
        assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'FILE_PATH_INVALID');
      }
    }
    await a().sessions.delete(s.id);
  });

  it('a listing survives file times a date cannot say: far past and far future, each as the nearest it can', async () => {
    const s = await a().sessions.create({ language: 'python' });
    const set =
      'import os\nfor n, t in [("future", 10**13), ("past", -10**13), ("now", 1.7e9)]:\n    open(n, "w").close(); os.utime(n, (0, t))\n';
    const r = await a().sessions.exec(s.id, { argv: ['python3', '-c', set] });
    assert.equal(r.exitCode, 0, r.stderr);
    const times = Object.fromEntries((await a().sessions.list(s.id)).map((e) => [e.path, e.mtime]));
    assert.deepEqual(times, {
      future: '9999-12-31T23:59:59.999Z',
      past: '0000-01-01T00:00:00.000Z',
      now: '2023-11-14T22:13:20.000Z',
    });
    await a().sessions.delete(s.id);
  });

  it('files where one is inside another are a 400 naming the second', async () => {
    for (const files of [
      [
        { name: 'a', content: 'x' },
        { name: 'a/b', content: 'y' },
      ],
      [
        { name: 'a/b/c', content: 'x' },
        { name: 'a/b', content: 'y' },
      ],
    ]) {
      const res = await fetch(`${t.s.url}/v1/sessions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY_A}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ files }),
      });
      const body = await res.text();
      assert.equal(res.status, 400, body);
      assert.equal(
        (JSON.parse(body) as { error: { details: { field: string } } }).error.details.field,
        'files[1].name',
      );
    }
  });

  it('a terminal runs an interactive program through a real WebSocket, answering its prompts', async () => {
    const s = await a().sessions.create();
    const term = a().sessions.pty(s.id, {
      cols: 100,
      rows: 30,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    let screen = '';
    term.onOutput((d) => (screen += d));
    await term.ready;
    term.write('read -p "name? " n; echo "hello, $n"; stty size\r');
    await until(async () => screen.includes('name? '), 10_000);
    term.write('Ada\r');
    await until(async () => screen.includes('hello, Ada') && screen.includes('30 100'), 10_000);
    // a burst of resizes: the last one holds
    for (let i = 0; i < 500; i++) term.resize(10 + (i % 200), 5 + (i % 50));
    term.resize(120, 40);
    term.write('stty size\r');
    await until(async () => screen.includes('40 120'), 10_000);
    term.write('exit\r');
    assert.equal((await term.exited).exitCode, 0);
    await a().sessions.delete(s.id);
  });

  it('a resize that is not two whole numbers from 1 to 1000 ends the terminal with an error naming the field', async () => {
    const s = await a().sessions.create();
    for (const [bad, field] of [
      [{ cols: 'x'.repeat(100_000), rows: 10 }, 'cols'],
      [{ cols: 80, rows: 0 }, 'rows'],
      [{ cols: 80.5, rows: 24 }, 'cols'],
      [{ cols: 80 }, 'rows'],
    ] as const) {
      const ws = new WebSocket(`${t.s.url.replace(/^http/, 'ws')}/v1/sessions/${s.id}/pty`, {
        headers: { Authorization: `Bearer ${KEY_A}` },
      });
      const messages: { type: string; code?: string; message?: string }[] = [];
      ws.on('message', (m) => messages.push(JSON.parse((m as Buffer).toString()) as (typeof messages)[number]));
      await until(async () => messages.some((m) => m.type === 'ready'), 10_000);
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
      ws.send(JSON.stringify({ type: 'resize', ...bad }));
      assert.equal(await closed, 4400, JSON.stringify(messages));
      const error = messages.find((m) => m.type === 'error');
      assert.equal(error?.code, 'INVALID_REQUEST');
      assert.match(error?.message ?? '', new RegExp(`^${field} `));
    }
    assert.equal((await a().sessions.exec(s.id, { command: 'echo alive' })).stdout, 'alive\n');
    await a().sessions.delete(s.id);
  });

  it("a key sees only its own sessions; each key's count is bounded", async () => {
    const s = await a().sessions.create();
    await assert.rejects(
      b().sessions.get(s.id),
      (e: CodeboxError) => e.status === 404 && e.code === 'SESSION_NOT_FOUND',
    );
    await assert.rejects(b().sessions.exec(s.id, { command: 'true' }), (e: CodeboxError) => e.status === 404);
    await assert.rejects(b().sessions.readFile(s.id, 'x'), (e: CodeboxError) => e.status === 404);
    const mine: SessionView[] = [];
    for (let i = 0; i < 3; i++) mine.push(await b().sessions.create());
    await assert.rejects(b().sessions.create(), (e: CodeboxError) => e.status === 429 && e.code === 'SESSION_LIMIT');
    await b().sessions.delete(mine[0]!.id);
    mine[0] = await b().sessions.create();
    const fifth = await a().sessions.create();
    await assert.rejects(
      a().sessions.create(),
      (e: CodeboxError) => e.status === 503 && e.code === 'SESSIONS_FULL' && e.retryAfterS !== undefined,
      'the worker holds its 5',
    );
    for (const m of mine) await b().sessions.delete(m.id);
    for (const m of [fifth, s]) await a().sessions.delete(m.id);
  });

  it('DELETE, the idle timeout and the lifetime end a session and leave no box behind', async () => {
    const before = boxesHeld().length;
    const deleted = await a().sessions.create();
    const idle = await a().sessions.create({ idleTimeoutS: 1 });
    const life = await a().sessions.create({ ttlS: 2, idleTimeoutS: 60 });
    await a().sessions.start(life.id, { argv: ['sleep', '300'] });
    assert.ok(boxesHeld().length >= before + 3, 'three boxes are open');
    const end = await a().sessions.delete(deleted.id);
    assert.deepEqual([end.status, end.endReason], ['ended', 'deleted']);
    // watched in Redis: a GET is a call, and a call resets the idle timeout
    const records = new SessionStore(t.s.redis, t.s.prefix);
    await until(async () => (await records.get(idle.id))?.endReason === 'idle', 5_000);
    await until(async () => (await records.get(life.id))?.endReason === 'ttl', 5_000);
    assert.equal((await a().sessions.get(idle.id)).status, 'ended');
    await assert.rejects(
      a().sessions.exec(idle.id, { command: 'true' }),
      (e: CodeboxError) => e.code === 'SESSION_NOT_FOUND',
    );
    await until(async () => boxesHeld().length === before, 5_000).catch(() =>
      assert.fail(`boxes left: ${before} before, now ${boxesHeld().join(' ')}`),
    );
  });
});
