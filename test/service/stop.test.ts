/**
 * Stopping the way hosts stop it. Ctrl-C and `systemctl stop` (KillMode=control-group or
 * mixed with the main process alone) signal the whole process group at once: npm start,
 * and — were they in its group — its Redis and every box's launcher, which would die with
 * their boxes before the grace. Running jobs must still get their grace and be recorded,
 * the process must exit within the grace and the few seconds recording takes, and nothing
 * of a box may be left. A worker or an API whose Redis goes away while it stops exits in
 * time all the same.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  exited,
  processesNaming,
  roleEnv,
  ROOT,
  startApiProcess,
  startWorkerProcess,
  stopNaming,
  waitForLine,
} from './processes.js';
import { serviceSkip, startRedis, until } from './stack.js';
import { CGROUP_PARENT, processesInUidRange, UID_BASE, WORK_ROOT } from '../support.js';

const GRACE_MS = 3_000;
/** what recording the ends and cleaning up may add to the grace (apps/worker/src/worker.ts) */
const END_MARGIN_MS = 5_000;

interface JobBody {
  id: string;
  status: string;
  result?: { status: string; stdout: string };
  error?: { code: string };
}

async function submit(url: string, script: string): Promise<string> {
  const res = await fetch(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ language: 'bash', files: [{ content: script }] }),
  });
  return ((await res.json()) as JobBody).id;
}

async function job(url: string, id: string): Promise<JobBody> {
  return (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as JobBody;
}

/** box groups any engine instance of this process tree left under the test parent */
function boxGroupsLeft(): string[] {
  const left: string[] = [];
  for (const h of ['', ...fs.readdirSync('/sys/fs/cgroup')]) {
    const parent = path.join('/sys/fs/cgroup', h, CGROUP_PARENT);
    if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) continue;
    for (const instance of fs.readdirSync(parent).filter((n) => n.startsWith('i-'))) {
      for (const box of fs.readdirSync(path.join(parent, instance)).filter((n) => n.startsWith('b-')))
        left.push(path.join(parent, instance, box));
    }
  }
  return left;
}

describe('stopping as hosts stop it', { skip: serviceSkip() }, () => {
  it('npm start, its whole process group signalled: jobs get their grace and are recorded, it exits in time, no box is left', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-test-stop-'));
    const env = roleEnv({ CODEBOX_DATA_DIR: dataDir, CODEBOX_GRACE_MS: String(GRACE_MS), CODEBOX_SLOTS: '2' });
    // a group of its own, as a service or a terminal's foreground job has
    const server = spawn(process.execPath, [path.join(ROOT, 'apps/server/dist/main.js')], { env, detached: true });
    let restarted: ReturnType<typeof spawn> | undefined;
    try {
      const { match } = await waitForLine(server, /codebox is up: (http:\/\/\S+)/);
      const url = match[1] ?? '';
      const short = await submit(url, 'sleep 1.5; echo done');
      const long = await submit(url, 'echo started; sleep 60; echo never');
      await until(
        async () => (await job(url, long)).status === 'running' && (await job(url, short)).status === 'running',
        20_000,
      );
      assert.ok(processesInUidRange(UID_BASE + 700, 32).length > 0, 'the control: the boxes are seen running');
      const t0 = Date.now();
      process.kill(-(server.pid ?? 0), 'SIGTERM');
      assert.equal(await exited(server, GRACE_MS + END_MARGIN_MS + 10_000), 0);
      const tookMs = Date.now() - t0;
      assert.ok(tookMs <= GRACE_MS + END_MARGIN_MS, `exited after ${tookMs} ms (grace ${GRACE_MS} ms)`);
      assert.ok(tookMs >= GRACE_MS - 500, `the long job had its grace: exited after ${tookMs} ms`);
      assert.deepEqual(processesInUidRange(UID_BASE + 700, 32), [], 'no box process');
      assert.deepEqual(boxGroupsLeft(), [], 'no box cgroup');
      assert.ok(!fs.readdirSync(WORK_ROOT).some((n) => n.startsWith(`i-${server.pid}-`)), 'no work dir of its engine');
      // what was recorded survives in Redis's append-only file: the next start reads it
      restarted = spawn(process.execPath, [path.join(ROOT, 'apps/server/dist/main.js')], { env, detached: true });
      const again = (await waitForLine(restarted, /codebox is up: (http:\/\/\S+)/)).match[1] ?? '';
      const [s, l] = [await job(again, short), await job(again, long)];
      assert.deepEqual(
        [s.status, s.result?.status, s.result?.stdout],
        ['completed', 'OK', 'done\n'],
        JSON.stringify(s),
      );
      assert.deepEqual([l.status, l.error?.code], ['failed', 'WORKER_SHUTDOWN'], JSON.stringify(l));
      assert.equal(l.result?.stdout, 'started\n', 'with the output it had');

      // killed outright (the OOM killer, a service manager's last resort), npm start takes
      // its Redis with it — even one that cannot save (here its dir is gone; a full disk is
      // the same), which a plain SIGTERM leaves running for good
      const redis = processesNaming(path.join(dataDir, 'redis'));
      assert.equal(redis.length, 1, 'the control: its Redis is seen running');
      fs.rmSync(path.join(dataDir, 'redis'), { recursive: true });
      process.kill(-(restarted.pid ?? 0), 'SIGKILL');
      await exited(restarted);
      await until(async () => processesNaming(path.join(dataDir, 'redis')).length === 0, 10_000).catch(() => undefined);
      assert.deepEqual(processesNaming(path.join(dataDir, 'redis')), [], 'its Redis is gone');
    } finally {
      for (const child of [server, restarted])
        if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
      if (restarted) await exited(restarted).catch(() => undefined);
      await stopNaming(dataDir);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a worker whose Redis goes away as it stops exits within its grace, its boxes gone', async () => {
    const redis = await startRedis();
    const prefix = `cbtest-stop-${process.pid}`;
    const worker = await startWorkerProcess(redis.url, prefix, UID_BASE + 1000, 1, {
      CODEBOX_GRACE_MS: String(GRACE_MS),
    });
    const api = await startApiProcess(redis.url, prefix);
    try {
      await until(async () => (await fetch(`${api.url}/readyz`)).status === 200, 20_000);
      const id = await submit(api.url, 'sleep 60');
      await until(async () => (await job(api.url, id)).status === 'running', 20_000);
      assert.ok(processesInUidRange(UID_BASE + 1000, 32).length > 0, 'the control: its box is seen running');
      const t0 = Date.now();
      worker.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      await redis.stop();
      assert.equal(await exited(worker.child, GRACE_MS + END_MARGIN_MS + 10_000), 0);
      const tookMs = Date.now() - t0;
      assert.ok(tookMs <= GRACE_MS + END_MARGIN_MS, `exited after ${tookMs} ms (grace ${GRACE_MS} ms)`);
      assert.deepEqual(processesInUidRange(UID_BASE + 1000, 32), []);
      assert.deepEqual(boxGroupsLeft(), []);
      // an API whose Redis is gone stops at once too
      const t1 = Date.now();
      api.child.kill('SIGTERM');
      assert.equal(await exited(api.child, 10_000), 0);
      assert.ok(Date.now() - t1 < 3_000, `the API took ${Date.now() - t1} ms`);
    } finally {
      worker.child.kill('SIGKILL');
      api.child.kill('SIGKILL');
      await redis.destroy();
    }
  });
});
