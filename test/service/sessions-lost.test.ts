/**
 * A session's worker killed with SIGKILL, every role a process of its own on a real Redis:
 * a call waiting on it answers SESSION_LOST within the stated bound (sessionLostBoundMs:
 * 10 s), never a hang; a later call answers it at once once the worker's record is gone;
 * the session's record says lost, and its key's count is freed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CodeboxClient, CodeboxError } from '@codebox/client';
import { sessionLostBoundMs, TIMINGS } from '@codebox/jobs';
import { UID_BASE } from '../support.js';
import { exited, startApiProcess, startWorkerProcess } from './processes.js';
import type { ApiProcess, WorkerProcess } from './processes.js';
import { serviceSkip, startRedis, until } from './stack.js';
import type { TestRedis } from './stack.js';

describe('a session whose worker is killed', { skip: serviceSkip() }, () => {
  const prefix = `cblost${process.pid}`;
  let redis: TestRedis;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let c: CodeboxClient;

  before(async () => {
    redis = await startRedis();
    api = await startApiProcess(redis.url, prefix, 0, { CODEBOX_SESSIONS_PER_KEY: '2' });
    worker = await startWorkerProcess(redis.url, prefix, UID_BASE + 2_000, 1, { CODEBOX_SESSIONS: '4' });
    c = new CodeboxClient({ baseUrl: api.url });
    // the API sees the worker (and its sessions) once its catalog has its record
    await until(async () => (await c.runtimes()).sessions !== undefined, 10_000);
  });
  after(async () => {
    // the next engine on this host sweeps what the killed one left (its cgroups, mounts)
    const sweeper = await startWorkerProcess(redis.url, `${prefix}-sweep`, UID_BASE + 2_100).catch(() => undefined);
    for (const p of [worker?.child, sweeper?.child]) p?.kill('SIGTERM');
    api?.child.kill('SIGKILL');
    await Promise.all([worker && exited(worker.child), sweeper && exited(sweeper.child), api && exited(api.child)]);
    await redis?.destroy();
  });

  it(`answers SESSION_LOST within ${sessionLostBoundMs(TIMINGS)} ms to a waiting call, then at once`, async (t) => {
    const s = await c.sessions.create();
    const other = await c.sessions.create();
    await assert.rejects(c.sessions.create(), (e: CodeboxError) => e.code === 'SESSION_LIMIT');
    const waiting = c.sessions.exec(s.id, { command: 'sleep 60' }).then(
      () => assert.fail('the command cannot end: its box died with its worker'),
      (err: unknown) => ({ err: err as CodeboxError, at: performance.now() }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = performance.now();
    worker.child.kill('SIGKILL');
    const { err, at } = await waiting;
    const took = at - killedAt;
    t.diagnostic(`SESSION_LOST ${Math.round(took)} ms after the kill`);
    assert.equal(err.status, 410, err.message);
    assert.equal(err.code, 'SESSION_LOST');
    assert.ok(took <= sessionLostBoundMs(TIMINGS) + 1_000, `SESSION_LOST after ${Math.round(took)} ms`);
    const t0 = performance.now();
    await assert.rejects(c.sessions.get(other.id), (e: CodeboxError) => e.status === 410 && e.code === 'SESSION_LOST');
    await assert.rejects(c.sessions.readFile(s.id, 'x'), (e: CodeboxError) => e.code === 'SESSION_LOST');
    assert.ok(performance.now() - t0 < sessionLostBoundMs(TIMINGS) + 1_000);
    // the lost ones no longer count against the key: with no worker, the answer is that none holds sessions
    await assert.rejects(c.sessions.create(), (e: CodeboxError) => e.code !== 'SESSION_LIMIT' && e.status === 503);
  });
});
