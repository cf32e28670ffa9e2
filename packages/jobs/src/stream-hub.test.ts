/**
 * StreamHub against a real redis-server: many waits, a connection per 32; a wait the read in
 * flight does not cover is served without waiting out that read's block; each reader gets
 * the entries after its own id; a server whose ACL refuses CLIENT UNBLOCK still serves
 * every read, a connection each.
 *
 * The hub here blocks 30 s per read: a wait that did not wake the read in flight would
 * take that long, so the bounds below (a few seconds) tell a lost wake from a slow machine.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { connect } from './connection.js';
import type { RedisConnection } from './connection.js';
import { StreamHub } from './stream-hub.js';

const noRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0;
const HUB_BLOCK_MS = 30_000;
/** far under HUB_BLOCK_MS, far over anything a loaded machine takes for a round trip */
const PROMPT_MS = 5_000;

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await p;
  return { value, ms: Date.now() - t0 };
}

/** the clients connected to the server now */
async function clients(redis: RedisConnection): Promise<number> {
  return String(await redis.client('LIST'))
    .split('\n')
    .filter((l) => l.startsWith('id=')).length;
}

describe('StreamHub', { skip: noRedis ? 'needs redis-server' : false }, () => {
  let dir: string;
  let server: ChildProcess;
  let socket: string;
  let redis: RedisConnection;
  let n = 0;
  const key = () => `hub-test:${++n}`;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-hub-'));
    socket = path.join(dir, 'redis.sock');
    server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', ''], { stdio: 'ignore' });
    while (!fs.existsSync(socket)) await new Promise((r) => setTimeout(r, 20));
    redis = connect(`unix://${socket}`, 'hub-test');
  });
  after(() => {
    redis?.disconnect();
    server?.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves 200 waits on 200 streams on 7 connections (lanes of 32), each as soon as its stream has an entry', async () => {
    const hub = new StreamHub(redis, { blockMs: HUB_BLOCK_MS });
    try {
      const before = await clients(redis);
      const keys = Array.from({ length: 200 }, key);
      const readers = keys.map(() => hub.reader());
      // started in batches, each while a read is in flight that does not cover it
      const reads: Promise<Buffer[][]>[] = [];
      for (const [i, k] of keys.entries()) {
        reads.push(readers[i]!.read(k, '0', 60_000).then((e) => e.map(([, f]) => f)));
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await clients(redis), before + Math.ceil(200 / 32), 'a connection per 32 streams');
      // the last stream first: its wait must not sit behind a read of the first ones
      for (const i of [...keys.keys()].reverse()) {
        const t0 = Date.now();
        await redis.xadd(keys[i]!, '*', 'n', keys[i]!);
        const fields = await reads[i]!;
        assert.equal(fields.length, 1);
        assert.equal(fields[0]![1]!.toString(), keys[i]);
        assert.ok(Date.now() - t0 < PROMPT_MS, `wait ${i} served ${Date.now() - t0} ms after its entry`);
      }
      for (const r of readers) r.close();
    } finally {
      hub.close();
    }
  });

  it('waits that come and go reuse the lanes: ten rounds of 40 followers hold 2 connections', async () => {
    const hub = new StreamHub(redis, { blockMs: HUB_BLOCK_MS });
    try {
      const before = await clients(redis);
      for (let round = 0; round < 10; round++) {
        const keys = Array.from({ length: 40 }, key);
        const reads = keys.map((k) => {
          const r = hub.reader();
          return r.read(k, '0', 60_000).finally(() => r.close());
        });
        await new Promise((r) => setTimeout(r, 20));
        for (const k of keys) await redis.xadd(k, '*', 'v', k);
        assert.ok((await Promise.all(reads)).every((e) => e.length === 1));
      }
      assert.ok((await clients(redis)) <= before + 2, `${(await clients(redis)) - before} connections`);
    } finally {
      hub.close();
    }
  });

  it('a wait added while a read blocks is served at once, from its own id, also on a stream already read', async () => {
    const hub = new StreamHub(redis, { blockMs: HUB_BLOCK_MS });
    try {
      const [a, b] = [key(), key()];
      const first = await redis.xadd(a, '*', 'v', 'one');
      const second = await redis.xadd(a, '*', 'v', 'two');
      // the read in flight reads `a` after its last entry, and `b`
      const late = hub.reader().read(a, second!, 60_000);
      const other = hub.reader().read(b, '0', 60_000);
      await new Promise((r) => setTimeout(r, 100));
      // an earlier id on the same stream: what is there already comes now
      const early = await timed(hub.reader().read(a, first!, 60_000));
      assert.deepEqual(
        early.value.map(([id, f]) => [id, f[1]!.toString()]),
        [[second, 'two']],
      );
      assert.ok(early.ms < PROMPT_MS, `served after ${early.ms} ms`);
      const third = await redis.xadd(a, '*', 'v', 'three');
      assert.deepEqual(
        (await late).map(([id]) => id),
        [third],
      );
      await redis.xadd(b, '*', 'v', 'b');
      assert.equal((await other).length, 1);
    } finally {
      hub.close();
    }
  });

  it('a wait the read in flight does not cover gets every entry after its own id, even when an entry ends that read before the wake does', async () => {
    // the wake (CLIENT UNBLOCK on the command connection) held back until an entry has come
    const cmd = connect(`unix://${socket}`, 'hub-test-late-wake');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const client = cmd.client.bind(cmd) as (...args: string[]) => Promise<unknown>;
    (cmd as unknown as { client: (...args: string[]) => Promise<unknown> }).client = async (...args) => {
      if (args[0] === 'UNBLOCK' && args[1] !== '0') await held;
      return client(...args);
    };
    const hub = new StreamHub(cmd, { blockMs: HUB_BLOCK_MS });
    try {
      const k = key();
      const first = await redis.xadd(k, '*', 'v', 'one');
      // the read in flight reads k after its last entry
      const ahead = hub.reader().read(k, first!, 60_000);
      await new Promise((r) => setTimeout(r, 100));
      // a follower from the start: not covered, so it wakes the read, and the wake is late
      const behind = hub.reader().read(k, '0', 60_000);
      await new Promise((r) => setTimeout(r, 100));
      const second = await redis.xadd(k, '*', 'v', 'two');
      assert.deepEqual(
        (await ahead).map(([id]) => id),
        [second],
      );
      const got = await timed(behind);
      assert.deepEqual(
        got.value.map(([id]) => id),
        [first, second],
        'the follower from the start skipped nothing',
      );
      assert.ok(got.ms < PROMPT_MS, `served after ${got.ms} ms`);
    } finally {
      release();
      hub.close();
      cmd.disconnect();
    }
  });

  it('a read ends with [] at its own time, and at once when its reader closes; the others wait on', async () => {
    const hub = new StreamHub(redis, { blockMs: HUB_BLOCK_MS });
    try {
      const k = key();
      const waiting = hub.reader();
      const stays = waiting.read(k, '0', 60_000);
      const short = await timed(hub.reader().read(k, '0', 300));
      assert.deepEqual(short.value, []);
      assert.ok(short.ms >= 250 && short.ms < PROMPT_MS, `a 300 ms read ended after ${short.ms} ms`);
      const closing = hub.reader();
      const closed = timed(closing.read(key(), '0', 60_000));
      await new Promise((r) => setTimeout(r, 50));
      closing.close();
      const c = await closed;
      assert.deepEqual(c.value, []);
      assert.ok(c.ms < PROMPT_MS);
      assert.deepEqual(await closing.read(k, '0', 60_000), [], 'a closed reader reads nothing');
      await redis.xadd(k, '*', 'v', 'x');
      assert.equal((await stays).length, 1);
      waiting.close();
    } finally {
      hub.close();
    }
  });

  it('refuses an id that is not a stream id, without failing the reads of others', async () => {
    const hub = new StreamHub(redis, { blockMs: HUB_BLOCK_MS });
    try {
      const k = key();
      const good = hub.reader().read(k, '0', 60_000);
      await assert.rejects(hub.reader().read(key(), '1-2-3', 60_000), /not a stream id/);
      // past 64 bits Redis refuses the id, and with it the read it shares with others
      await assert.rejects(hub.reader().read(key(), '18446744073709551616-0', 60_000), /not a stream id/);
      await assert.rejects(hub.reader().read(key(), '1-18446744073709551616', 60_000), /not a stream id/);
      assert.deepEqual(await hub.reader().read(key(), '18446744073709551615-18446744073709551615', 10), []);
      await redis.xadd(k, '*', 'v', 'x');
      assert.equal((await good).length, 1);
    } finally {
      hub.close();
    }
  });

  it('close() ends every wait', async () => {
    const hub = new StreamHub(redis, { blockMs: HUB_BLOCK_MS });
    const reads = [hub.reader().read(key(), '0', 60_000), hub.reader().read(key(), '0', 60_000)];
    await new Promise((r) => setTimeout(r, 50));
    hub.close();
    assert.deepEqual(await Promise.all(reads), [[], []]);
  });

  it('on a server that refuses CLIENT UNBLOCK, every read is still served, on a connection of its own', async () => {
    await redis.call('ACL', 'SETUSER', 'nounblock', 'on', '>pw', '~*', '&*', '+@all', '-client|unblock');
    // the same server, as that user (the hub's own connections are made with the same options)
    const conn = new Redis({ path: socket, username: 'nounblock', password: 'pw', lazyConnect: false });
    const hub = new StreamHub(conn, { blockMs: HUB_BLOCK_MS });
    try {
      await assert.rejects(conn.client('UNBLOCK', '0'), /NOPERM/);
      const keys = [key(), key(), key()];
      const before = await clients(redis);
      const readers = keys.map(() => hub.reader());
      const reads = keys.map((k, i) => timed(readers[i]!.read(k, '0', 60_000)));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await clients(redis), before + keys.length, 'a connection per reader');
      for (const k of keys) await redis.xadd(k, '*', 'v', k);
      for (const r of await Promise.all(reads)) {
        assert.equal(r.value.length, 1);
        assert.ok(r.ms < PROMPT_MS);
      }
      for (const r of readers) r.close();
    } finally {
      hub.close();
      conn.disconnect();
    }
  });
});
