/**
 * The session transport against a real redis-server of its own: a call's bytes both ways
 * within the window (what Redis holds is looked at while a reader is slow), a cancel, a
 * stalled reader, and a worker lost while a call waits. Skips without redis-server.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '@codebox/protocol';
import { connect } from './connection.js';
import { StreamHub } from './stream-hub.js';
import type { RedisConnection } from './connection.js';
import { Keys } from './keys.js';
import { SessionCall } from './session-call.js';
import { SESSION_TRANSPORT } from './session-frames.js';
import { WorkerInbox } from './session-inbox.js';
import type { WorkerCall } from './session-inbox.js';
import { SessionStore } from './session-store.js';
import type { NewSession } from './session-store.js';
import { announce } from './workers.js';
import type { WorkerRecord } from './workers.js';

const noRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0;
const { frameBytes, windowBytes } = SESSION_TRANSPORT;

/** the bytes of data frames a stream holds now */
async function heldBytes(redis: RedisConnection, key: string): Promise<number> {
  const entries = (await redis.xrangeBuffer(key, '-', '+')) as [Buffer, Buffer[]][];
  let n = 0;
  for (const [, f] of entries)
    for (let i = 0; i + 1 < f.length; i += 2) if (f[i]!.toString() === 'b') n += f[i + 1]!.length;
  return n;
}

const limits = {
  memoryBytes: 1,
  pids: 1,
  cpus: 1,
  workDirBytes: 1,
  tmpBytes: 1,
  outputBytes: 1,
  fileSizeBytes: 1,
  openFiles: 1,
  stackBytes: 1,
};

describe('session transport', { skip: noRedis ? 'needs redis-server' : false }, () => {
  let dir: string;
  let server: ChildProcess;
  let redis: RedisConnection;
  let streams: StreamHub;
  let n = 0;
  const workers: WorkerInbox[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-transport-'));
    const socket = path.join(dir, 'redis.sock');
    server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', ''], { stdio: 'ignore' });
    while (!fs.existsSync(socket)) await new Promise((r) => setTimeout(r, 20));
    redis = connect(`unix://${socket}`, 'transport-test');
    streams = new StreamHub(redis);
  });
  after(async () => {
    for (const w of workers) await w.stop();
    streams?.close();
    redis?.disconnect();
    server?.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** a worker inbox serving calls with `serve`, and a session on it that is ready */
  async function setup(serve: (call: WorkerCall) => Promise<void>, stallMs?: number) {
    const prefix = `t${++n}`;
    const keys = new Keys(prefix);
    const workerId = `w${n}`;
    const inbox = new WorkerInbox(
      redis,
      keys,
      workerId,
      (call) => void serve(call).catch(() => undefined),
      15_000,
      stallMs,
    );
    await inbox.start();
    workers.push(inbox);
    const store = new SessionStore(redis, prefix);
    const record: WorkerRecord = {
      id: workerId,
      host: 'h',
      pid: 1,
      slots: 1,
      busy: 0,
      rootfs: 'host',
      runtimes: [],
      limits: { run: { defaults: {}, maxima: {} }, compile: { defaults: {}, maxima: {} } },
      startedAt: '',
    };
    await announce(redis, keys, record, 15_000);
    const s: NewSession = {
      id: `s${n}`,
      owner: 'o',
      worker: workerId,
      network: false,
      limits,
      idleTimeoutS: 60,
      ttlS: 60,
      createdAtMs: Date.now(),
      expiresAtMs: Date.now() + 60_000,
    };
    assert.equal(await store.create(s, 10), 'created');
    assert.equal(await store.ready(s.id, workerId, 60), 'ready');
    const rec = (await store.get(s.id))!;
    const call = (op: string, args: unknown, lostAfterMs = 8_000) =>
      new SessionCall(
        { redis, reader: streams.reader(), keys, check: () => store.check(rec, lostAfterMs), pollMs: 100 },
        workerId,
        s.id,
        op,
        args,
      );
    return { keys, store, call, inbox, record, rec };
  }

  it('moves 3 MiB each way, never holding more than a window in Redis', async () => {
    const payload = Buffer.alloc(3 << 20, 7);
    let inboxPeak = 0;
    const t = await setup(async (call) => {
      // the upload, read slowly, then the same bytes back
      let got = 0;
      for (let p = await call.nextInput(); p; p = await call.nextInput()) {
        got += p.bytes.length;
        inboxPeak = Math.max(inboxPeak, await heldBytes(redis, t.keys.workerInbox(t.record.id)));
        await new Promise((r) => setTimeout(r, 1));
      }
      await call.data('body', payload);
      await call.end({ got });
    });
    const c = t.call('echo', {});
    await c.start();
    await c.send('body', payload);
    await c.eof('body');
    let back = 0;
    let replyPeak = 0;
    let end: unknown;
    for (let f = await c.next(); f; f = await c.next()) {
      if (f.kind === 'data') back += f.bytes.length;
      if (f.kind === 'end') end = f.value;
      replyPeak = Math.max(replyPeak, await heldBytes(redis, t.keys.sessionReply(c.id)));
    }
    c.close();
    assert.deepEqual(end, { got: payload.length });
    assert.equal(back, payload.length);
    assert.ok(inboxPeak <= windowBytes + frameBytes, `the inbox held ${inboxPeak} bytes`);
    assert.ok(replyPeak <= windowBytes + frameBytes, `the reply held ${replyPeak} bytes`);
    assert.ok(replyPeak > 0 && inboxPeak > 0);
  });

  it('a reader that stops: the writer waits at the window, then gives the call up', async () => {
    let aborted: string | undefined;
    const t = await setup(async (call) => {
      try {
        for (;;) await call.data('stdout', Buffer.alloc(frameBytes));
      } catch (err) {
        aborted = (err as Error).message;
      }
    }, 500);
    const c = t.call('chatty', {});
    await c.start();
    await new Promise((r) => setTimeout(r, 800));
    assert.ok((await heldBytes(redis, t.keys.sessionReply(c.id))) <= windowBytes + frameBytes);
    assert.match(aborted ?? '', /stopped reading/);
    c.close();
  });

  it('a caller that goes cancels its call at the worker', async () => {
    let cancelled: (v: string) => void;
    const seen = new Promise<string>((r) => (cancelled = r));
    const t = await setup(async (call) => {
      call.signal.addEventListener('abort', () => cancelled((call.signal.reason as Error).message));
    });
    const c = t.call('sleep', {});
    await c.start();
    c.close();
    assert.equal(await seen, 'the caller went away');
  });

  it('a worker that stops beating: a waiting call ends SESSION_LOST within its bound, and so does the next', async () => {
    const t = await setup(async () => undefined); // never answers
    const c = t.call('wait', {}, 600);
    await c.start();
    const t0 = Date.now();
    await assert.rejects(c.next(), (err: unknown) => err instanceof ApiError && err.code === 'SESSION_LOST');
    const took = Date.now() - t0;
    assert.ok(took >= 500 && took < 600 + 2 * 100 + 500, `lost after ${took} ms`);
    c.close();
    assert.equal((await t.store.get(t.rec.id))?.status, 'lost');
    assert.equal(await redis.zcard(t.keys.ownerSessions('o')), 0, 'a lost session no longer counts against its key');
  });

  it('a worker whose record expired: a new call is SESSION_LOST at once', async () => {
    const t = await setup(async () => undefined);
    await redis.del(t.keys.worker(t.record.id));
    const c = t.call('wait', {});
    await c.start();
    await assert.rejects(c.next(), (err: unknown) => err instanceof ApiError && err.code === 'SESSION_LOST');
    c.close();
  });

  it("an owner's count: full at its maximum; ended and lost sessions free their place", async () => {
    const t = await setup(async () => undefined);
    const make = (id: string) => ({ ...t.rec, id, owner: 'o2', expiresAtMs: Date.now() + 60_000 });
    assert.equal(await t.store.create(make('a'), 2), 'created');
    assert.equal(await t.store.create(make('b'), 2), 'created');
    assert.equal(await t.store.create(make('c'), 2), 'limit');
    assert.equal(await t.store.end(make('a'), 'deleted', ''), 'ended');
    assert.equal(await t.store.create(make('c'), 2), 'created');
    assert.equal(await t.store.ready('b', t.record.id, 60), 'ready');
    await redis.del(t.keys.worker(t.record.id));
    assert.equal(await t.store.create(make('d'), 2), 'created', "b's worker is gone: b no longer counts");
    assert.equal((await t.store.get('b'))?.status, 'lost');
  });
});
