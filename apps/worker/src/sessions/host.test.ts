/**
 * The host's routing and state, with FakeSession standing in for the engine (no box here:
 * the service tests run real ones) and a real redis-server for the transport and records:
 * a session opened and ready, refused past capacity, ended by its idle timeout and its
 * lifetime (box closed, record ended with why), by the worker's stop, and closed when its
 * record says it was lost. Skips without redis-server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry as Prom } from 'prom-client';
import { announce, connect, Keys, SessionCall, SessionStore, StreamHub, WorkerInbox } from '@codebox/jobs';
import type { RedisConnection } from '@codebox/jobs';
import { LANGUAGES, Registry } from '@codebox/runtimes';
import { startRedis } from '../../../../test/service/stack.js';
import type { TestRedis } from '../../../../test/service/stack.js';
import { loadWorkerConfig } from '../config.js';
import { workerMetrics } from '../metrics.js';
import { fakeEngine } from './fake-session.js';
import { SessionHost } from './host.js';
import { sessionPolicy } from './policy.js';

const noRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0;

describe('the session host', { skip: noRedis ? 'needs redis-server' : false }, () => {
  let server: TestRedis;
  let redis: RedisConnection;
  let streams: StreamHub;
  let n = 0;
  const stops: (() => Promise<void>)[] = [];
  before(async () => {
    server = await startRedis();
    redis = connect(server.url, 'host-test');
    streams = new StreamHub(redis);
  });
  after(async () => {
    for (const stop of stops) await stop();
    streams?.close();
    redis?.disconnect();
    await server?.destroy();
  });

  async function setup(capacity = 2) {
    const prefix = `h${++n}`;
    const keys = new Keys(prefix);
    const store = new SessionStore(redis, prefix);
    const engine = fakeEngine();
    const workerId = `w${n}`;
    const host = new SessionHost({
      workerId,
      engine,
      store,
      policy: sessionPolicy(loadWorkerConfig({})),
      capacity,
      registry: new Registry('host', LANGUAGES),
      rootfs: undefined,
      bash: true,
      openBytes: 1 << 20,
      metrics: workerMetrics(new Prom()),
      log: pino({ level: 'silent' }),
    });
    const inbox = new WorkerInbox(redis, keys, workerId, host.handle, 15_000);
    await inbox.start();
    await announce(redis, keys, { id: workerId } as never, 15_000);
    stops.push(async () => {
      await host.close();
      await inbox.stop();
    });
    /** a call to the worker, start to end: the end's value, or the error frame's code */
    const call = async (sessionId: string, op: string, args: unknown): Promise<unknown> => {
      const record = await store.get(sessionId);
      const c = new SessionCall(
        { redis, reader: streams.reader(), keys, check: async () => 'ready', pollMs: 100 },
        workerId,
        sessionId,
        op,
        args,
      );
      await c.start();
      try {
        for (let f = await c.next(); f; f = await c.next()) {
          if (f.kind === 'end') return f.value;
          if (f.kind === 'error') return f.error.code;
        }
      } finally {
        c.close();
        void record;
      }
    };
    const open = async (id: string, timing: { idleTimeoutS?: number; ttlS?: number } = {}) => {
      const now = Date.now();
      const s = {
        id,
        owner: 'o',
        worker: workerId,
        network: false,
        limits: sessionPolicy(loadWorkerConfig({})).limits.defaults,
        idleTimeoutS: timing.idleTimeoutS ?? 60,
        ttlS: timing.ttlS ?? 60,
        createdAtMs: now,
        expiresAtMs: now + (timing.ttlS ?? 60) * 1000,
      };
      assert.equal(await store.create(s, 10), 'created');
      return call(id, 'open', { ...s, hasFiles: false });
    };
    return { store, engine, host, call, open };
  }

  it('opens a session, serves its calls, and refuses one past its capacity', async () => {
    const t = await setup(1);
    assert.deepEqual(await t.open('a'), { ready: true });
    assert.equal((await t.store.get('a'))?.status, 'ready');
    assert.equal(t.host.open, 1);
    const exit = (await t.call('a', 'exec', { argv: ['exit', '3'] })) as { exitCode: number };
    assert.equal(exit.exitCode, 3);
    assert.equal(await t.call('nope', 'exec', { argv: ['exit', '0'] }), 'SESSION_NOT_FOUND');
    assert.equal(await t.open('b'), 'SESSIONS_FULL');
  });

  it('the idle timeout ends a session once no call is in progress; its box is closed, its record says why', async () => {
    const t = await setup();
    await t.open('idle', { idleTimeoutS: 1 });
    await t.call('idle', 'exec', { argv: ['sleep', '1.5'] }); // longer than the timeout, but a call
    assert.equal((await t.store.get('idle'))?.status, 'ready', 'a call in progress holds it');
    await new Promise((r) => setTimeout(r, 1_300));
    const r = await t.store.get('idle');
    assert.equal(r?.status, 'ended');
    assert.equal(r?.endReason, 'idle');
    assert.ok(r?.usage, 'its usage at the end is kept');
    assert.equal(t.engine.opened[0]?.closed, true);
    assert.equal(t.host.open, 0);
  });

  it('the lifetime ends a session whatever its calls', async () => {
    const t = await setup();
    await t.open('ttl', { ttlS: 1, idleTimeoutS: 60 });
    await new Promise((r) => setTimeout(r, 1_300));
    assert.equal((await t.store.get('ttl'))?.endReason, 'ttl');
    assert.equal(t.engine.opened[0]?.closed, true);
  });

  it("the worker's stop ends every session; a session whose record was lost meanwhile is closed here", async () => {
    const t = await setup();
    await t.open('x');
    await t.open('y');
    await redis.hset(t.store.keys.session('x'), 'status', 'lost');
    await t.host.reconcile();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.engine.opened[0]?.closed, true, 'x is closed: its record says lost');
    assert.equal((await t.store.get('x'))?.status, 'lost', 'and its record is left as it was');
    await t.host.close();
    assert.equal((await t.store.get('y'))?.endReason, 'worker-stopped');
    assert.equal(t.engine.opened[1]?.closed, true);
    assert.equal(await t.open('z'), 'SESSIONS_FULL', 'a stopping worker opens none');
  });
});
