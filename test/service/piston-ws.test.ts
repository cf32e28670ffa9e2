/**
 * Piston v2's WebSocket, /api/v2/connect: an interactive program fed stdin as it runs,
 * the stage/data/exit messages, a signal, and each of Piston's close codes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { serviceSkip, until, useStack } from './stack.js';

interface Msg {
  type: string;
  stage?: string;
  data?: string;
  code?: number | null;
  [k: string]: unknown;
}

/** a session: its messages as they come, and how it closed */
function connect(url: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v2/connect`);
  const messages: Msg[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (raw) => {
    messages.push(JSON.parse((raw as Buffer).toString()) as Msg);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    close: () => ws.close(),
    send: async (msg: object) => {
      await opened;
      ws.send(JSON.stringify(msg));
    },
    messages,
    closed,
    /** resolves when a message satisfying fn has arrived */
    until: async (fn: (m: Msg) => boolean, ms = 20_000) => {
      const deadline = Date.now() + ms;
      while (!messages.some(fn)) {
        if (Date.now() > deadline) throw new Error(`no such message in ${JSON.stringify(messages)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}

describe('Piston v2 WebSocket', { skip: serviceSkip() }, () => {
  const t = useStack();

  it('an interactive program: stdin as it runs, stdout as it comes, then exit and 4999', async () => {
    const c = connect(t.s.url);
    await c.send({
      type: 'init',
      language: 'python',
      version: '*',
      files: [
        {
          content:
            'import sys\nfor line in sys.stdin:\n    if line.strip() == "quit": break\n    print(line.strip().upper(), flush=True)\nprint("bye")\n',
        },
      ],
    });
    await c.until((m) => m.type === 'stage' && m.stage === 'run');
    await c.send({ type: 'data', stream: 'stdin', data: 'hello\n' });
    await c.until((m) => m.type === 'data' && m.data === 'HELLO\n');
    await c.send({ type: 'data', stream: 'stdin', data: 'again\nquit\n' });
    assert.deepEqual(await c.closed, { code: 4999, reason: 'Job Completed' });
    const runtime = c.messages[0];
    assert.equal(runtime?.type, 'runtime');
    assert.equal(runtime?.language, 'python');
    const out = c.messages
      .filter((m) => m.type === 'data' && m.stream === 'stdout')
      .map((m) => m.data)
      .join('');
    assert.equal(out, 'HELLO\nAGAIN\nbye\n');
    assert.deepEqual(c.messages.at(-1), { type: 'exit', stage: 'run', code: 0, signal: null });
  });

  it('a compiled language: compile stage, its exit, then the run', async () => {
    const c = connect(t.s.url);
    await c.send({
      type: 'init',
      language: 'c',
      version: '*',
      files: [{ content: '#include <stdio.h>\nint main(void) { puts("compiled"); return 2; }\n' }],
    });
    assert.equal((await c.closed).code, 4999);
    assert.deepEqual(
      c.messages.map((m) =>
        m.type === 'data'
          ? `data:${m.data}`
          : m.type === 'exit'
            ? `exit:${m.stage}:${m.code}`
            : m.type === 'stage'
              ? `stage:${m.stage}`
              : m.type,
      ),
      ['runtime', 'stage:compile', 'exit:compile:0', 'stage:run', 'data:compiled\n', 'exit:run:2'],
    );
  });

  it('a signal ends the run', async () => {
    const c = connect(t.s.url);
    await c.send({
      type: 'init',
      language: 'python',
      version: '*',
      files: [{ content: 'import time\nprint("waiting", flush=True)\ntime.sleep(30)\n' }],
    });
    await c.until((m) => m.type === 'data');
    await c.send({ type: 'signal', signal: 'SIGTERM' });
    assert.equal((await c.closed).code, 4999);
    assert.deepEqual(c.messages.at(-1), { type: 'exit', stage: 'run', code: null, signal: 'SIGKILL' });
  });

  it("Piston's close codes", async () => {
    const timeout = connect(t.s.url);
    assert.deepEqual(await timeout.closed, { code: 4001, reason: 'Initialization Timeout' });

    const early = connect(t.s.url);
    await early.send({ type: 'data', stream: 'stdin', data: 'x' });
    assert.deepEqual(await early.closed, { code: 4003, reason: 'Not yet initialized' });

    const sleeper = {
      type: 'init',
      language: 'python',
      version: '*',
      files: [{ content: 'import time\ntime.sleep(30)' }],
    };
    const twice = connect(t.s.url);
    await twice.send(sleeper);
    await twice.until((m) => m.type === 'runtime');
    await twice.send(sleeper);
    assert.deepEqual(await twice.closed, { code: 4000, reason: 'Already Initialized' });

    const stdout = connect(t.s.url);
    await stdout.send(sleeper);
    await stdout.until((m) => m.type === 'runtime');
    await stdout.send({ type: 'data', stream: 'stdout', data: 'x' });
    assert.deepEqual(await stdout.closed, { code: 4004, reason: 'Can only write to stdin' });

    const signal = connect(t.s.url);
    await signal.send(sleeper);
    await signal.until((m) => m.type === 'runtime');
    await signal.send({ type: 'signal', signal: 'SIGNOPE' });
    assert.deepEqual(await signal.closed, { code: 4005, reason: 'Invalid signal' });

    const bad = connect(t.s.url);
    await bad.send({ type: 'init', language: 'cobol', version: '*', files: [{ content: '' }] });
    assert.deepEqual(await bad.closed, { code: 4002, reason: 'Notified Error' });
    assert.deepEqual(bad.messages, [{ type: 'error', message: 'cobol-* runtime is unknown' }]);
  });
});

describe('Piston v2 WebSocket under abuse', { skip: serviceSkip() }, () => {
  const t = useStack();

  it('a malformed frame closes that session, not the API', async () => {
    const ws = new WebSocket(`${t.s.url.replace(/^http/, 'ws')}/api/v2/connect`);
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    // an unmasked frame, which a client must never send: the server fails the connection
    // (1002) and lives on — an 'error' without a listener would have been uncaught
    (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    assert.equal(await closed, 1002);
    assert.equal((await fetch(`${t.s.url}/healthz`)).status, 200);
  });

  it('a client that goes cancels its job, also one that goes during init', async () => {
    const jobs = async () => {
      const keys = (await t.s.redis.keys(`${t.s.prefix}:job:{*}`)).filter((k) => k.endsWith('}'));
      return Promise.all(keys.map(async (k) => (await t.s.store.get(k.slice(k.indexOf('{') + 1, -1)))?.status));
    };
    const sleeper = {
      type: 'init',
      language: 'python',
      version: '*',
      files: [{ content: 'import time\ntime.sleep(60)' }],
    };
    const c = connect(t.s.url);
    await c.send(sleeper);
    await c.until((m) => m.type === 'stage');
    c.close();
    const early = connect(t.s.url);
    await early.send(sleeper);
    early.close();
    await until(async () => {
      const statuses = await jobs();
      return statuses.length === 2 && statuses.every((st) => st === 'cancelled');
    }, 20_000);
  });
});
