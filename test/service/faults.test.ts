/**
 * Faults, with every role a process of its own on one real Redis: many workers sharing
 * the queue, a worker killed with SIGKILL in the middle of a run, a worker that dies
 * after taking a job but before running it, and the next worker on the host sweeping
 * what a dead one left.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeboxClient } from '@codebox/client';
import type { JobView } from '@codebox/client';
import { connect, Keys } from '@codebox/jobs';
import type { RedisConnection } from '@codebox/jobs';
import { CGROUP_PARENT, UID_BASE, WORK_ROOT } from '../support.js';
import { exited, ROOT, startApiProcess, startWorkerProcess, waitForLine } from './processes.js';
import type { ApiProcess, WorkerProcess } from './processes.js';
import { serviceSkip, startRedis, until } from './stack.js';
import type { TestRedis } from './stack.js';

const SH = (code: string) => ({ language: 'bash', files: [{ content: code }] });
/**
 * the worker's LOCK_MS + STALLED_CHECK_MS + 2 × OWNER_CHECK_MS and BullMQ's delays: how
 * long a dead worker's job waits
 */
const DEAD_WORKER_BOUND_MS = 25_000;

/** pids of the processes whose uid is in a worker's range: its boxes */
function boxPids(uidBase: number, count = 32): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let status = '';
    try {
      status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
    } catch {
      continue; // it ended meanwhile
    }
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    if (uid >= uidBase && uid < uidBase + count) pids.push(Number(entry));
  }
  return pids;
}

/** what an engine instance of process pid left on the host: cgroups, work dirs, mounts */
function leftovers(pid: number): string[] {
  const mine = (name: string) => name.startsWith(`i-${pid}-`);
  const found: string[] = [];
  for (const h of ['/sys/fs/cgroup', ...fs.readdirSync('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`)]) {
    const parent = path.join(h, CGROUP_PARENT);
    if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) continue;
    found.push(
      ...fs
        .readdirSync(parent)
        .filter(mine)
        .map((n) => path.join(parent, n)),
    );
  }
  if (fs.existsSync(WORK_ROOT))
    found.push(
      ...fs
        .readdirSync(WORK_ROOT)
        .filter(mine)
        .map((n) => path.join(WORK_ROOT, n)),
    );
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  found.push(...mounts.filter((m) => m.includes(`${WORK_ROOT}/i-${pid}-`)).map((m) => `mount ${m.split(' ')[4]}`));
  return found;
}

describe('many workers on one Redis, and workers that die', { skip: serviceSkip() }, () => {
  const prefix = `cbfault${process.pid}`;
  let redis: TestRedis;
  let conn: RedisConnection;
  let keys: Keys;
  let api: ApiProcess;
  let c: CodeboxClient;
  const workers: WorkerProcess[] = [];
  let nextUidBase = UID_BASE + 1_000;
  const addWorker = async (): Promise<WorkerProcess> => {
    const w = await startWorkerProcess(redis.url, prefix, (nextUidBase += 100));
    workers.push(w);
    return w;
  };

  before(async () => {
    redis = await startRedis();
    conn = connect(redis.url, 'codebox-test');
    keys = new Keys(prefix);
    api = await startApiProcess(redis.url, prefix);
    c = new CodeboxClient({ baseUrl: api.url });
    for (let i = 0; i < 3; i++) await addWorker();
  });
  after(async () => {
    for (const p of [...workers.map((w) => w.child), api?.child]) p?.kill('SIGKILL');
    await Promise.all([...workers.map((w) => exited(w.child)), api && exited(api.child)]);
    await conn?.quit();
    await redis?.destroy();
  });

  it('jobs spread across the workers', async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => c.create(SH(`sleep 0.3; echo ${i}`)).then((j) => j.id)),
    );
    const done = await Promise.all(ids.map((id) => c.wait(id)));
    assert.deepEqual(
      done.map((j) => j.result?.stdout),
      ids.map((_, i) => `${i}\n`),
    );
    const ranOn = new Set(await Promise.all(ids.map((id) => conn.hget(keys.job(id), 'worker'))));
    assert.deepEqual([...ranOn].sort(), workers.map((w) => w.id).sort(), 'each of the three workers ran some');
  });

  it('kill -9 mid-run: the box dies with its worker, the job fails WORKER_LOST in bounded time, never runs again', async (t) => {
    const { id } = await c.create(SH('echo started; sleep 60; echo "ran to the end"'));
    // its code has started: the first line is on the event stream
    for await (const e of c.events(id)) if (e.type === 'stdout') break;
    const ranOn = await conn.hget(keys.job(id), 'worker');
    const victim = workers.find((w) => w.id === ranOn);
    assert.ok(victim, `ran on ${ranOn}`);
    assert.ok(boxPids(victim.uidBase).length > 0, 'its box is running');

    victim.child.kill('SIGKILL');
    await exited(victim.child);
    const killedAt = Date.now();
    workers.splice(workers.indexOf(victim), 1);
    await until(async () => boxPids(victim.uidBase).length === 0, 3_000);

    const job = await c.wait(id);
    const waitedMs = Date.now() - killedAt;
    assert.equal(job.status, 'failed');
    assert.equal(job.error?.code, 'WORKER_LOST');
    assert.match(job.error?.message ?? '', /worker running this job was lost/);
    t.diagnostic(`WORKER_LOST ${waitedMs} ms after the kill`);
    assert.ok(waitedMs < DEAD_WORKER_BOUND_MS + 5_000, `ended ${waitedMs} ms after the kill`);
    const events = [];
    for await (const e of c.events(id)) events.push(e);
    const statuses = events.filter((e) => e.type === 'status').map((e) => (e.data as { status: string }).status);
    assert.deepEqual(statuses, ['queued', 'running', 'failed'], 'claimed once, ended once');
    assert.equal(events.filter((e) => e.type === 'result').length, 1);

    // what the dead worker left on this host, the next worker to start here sweeps
    assert.notDeepEqual(leftovers(victim.pid), [], 'the dead worker left its cgroups and work dir');
    await addWorker();
    assert.deepEqual(leftovers(victim.pid), []);
  });

  it('a worker that dies after taking a job, before running it: the job runs elsewhere', async (t) => {
    // every worker busy, so the only taker is a BullMQ worker that dies as it takes a job
    const busy = await Promise.all(
      workers.map(() => c.create({ ...SH('sleep 15'), limits: { wallMs: 20_000 } }).then((j) => j.id)),
    );
    await until(async () => (await Promise.all(busy.map((id) => c.get(id)))).every((j) => j.status === 'running'));
    const dying = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import { Worker } from 'bullmq';
      const w = new Worker('jobs', async () => process.kill(process.pid, 'SIGKILL'),
        { connection: { path: ${JSON.stringify(redis.socket)}, maxRetriesPerRequest: null }, prefix: ${JSON.stringify(prefix)}, lockDuration: 8000 });
      await w.waitUntilReady();
      console.log('taking');
    `,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let id: string;
    try {
      await waitForLine(dying, /taking/);
      id = (await c.create(SH('echo "ran once"'))).id;
      await exited(dying);
    } finally {
      dying.kill('SIGKILL');
    }
    const diedAt = Date.now();
    assert.equal(dying.signalCode, 'SIGKILL');
    assert.equal((await c.get(id)).status, 'queued', 'taken, not claimed');
    await Promise.all(busy.map((b) => c.cancel(b))); // slots for it

    const job: JobView = await c.wait(id);
    assert.equal(job.status, 'completed');
    assert.equal(job.result?.stdout, 'ran once\n');
    const waitedMs = Date.now() - diedAt;
    t.diagnostic(`ran elsewhere ${waitedMs} ms after the death`);
    assert.ok(waitedMs < DEAD_WORKER_BOUND_MS + 5_000, `ran ${waitedMs} ms after the death`);
  });
});
