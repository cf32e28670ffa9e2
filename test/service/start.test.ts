/**
 * The quickstart contract: `npm start` with no REDIS_URL brings up its own Redis, a worker
 * and the API, prints the URL and a curl example, and that curl prints the program's
 * output; SIGTERM takes it all down. And the split roles, `npm run api` and `npm run
 * worker`, against one Redis.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { exited, roleEnv, ROOT, spawnRole, waitForLine } from './processes.js';
import { serviceSkip, startRedis, until } from './stack.js';

describe('npm start', { skip: serviceSkip() }, () => {
  it('starts Redis, a worker and the API; the printed curl runs Python; SIGTERM stops it all', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-test-start-'));
    const child = spawnRole('server', { CODEBOX_DATA_DIR: dataDir });
    try {
      const { match, output } = await waitForLine(child, /Try it:\n( {2}curl [^\n]*\\\n[^\n]*\n)/);
      assert.match(output(), /codebox is up: http:\/\/127\.0\.0\.1:\d+/);
      assert.match(
        output(),
        /\n {2}playground: http:\/\/127\.0\.0\.1:\d+\/ {3}API reference: http:\/\/127\.0\.0\.1:\d+\/docs\n/,
      );
      assert.match(output(), /no API keys configured: listening on loopback only/);
      const curl = (match[1] ?? '').replace(/\\\n/, ' ');
      const answer = JSON.parse(execFileSync('sh', ['-c', curl], { encoding: 'utf8' })) as {
        status: string;
        result: { stdout: string };
      };
      assert.equal(answer.status, 'completed');
      assert.match(answer.result.stdout, /^Hello from a box, Python 3\.\d+\.\d+\n$/);
      // a bounded Redis that never evicts: queue keys have no TTL and must not be lost
      const config = (name: string) =>
        execFileSync(
          'redis-cli',
          ['-s', path.join(dataDir, 'redis', 'redis.sock'), '--no-raw', 'config', 'get', name],
          { encoding: 'utf8' },
        );
      assert.match(config('maxmemory'), /"maxmemory"\n2\) "1073741824"/, 'maxmemory 1g by default');
      assert.match(config('maxmemory-policy'), /"noeviction"/);
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
      assert.ok(fs.existsSync(path.join(dataDir, 'redis', 'appendonlydir')), 'Redis kept its append-only file');
      assert.ok(!fs.existsSync(path.join(dataDir, 'redis', 'redis.sock')), 'and is gone');
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('npm run api and npm run worker: one role each, on one Redis', async () => {
    const redis = await startRedis();
    const common = { REDIS_URL: redis.url, CODEBOX_REDIS_PREFIX: `cbsplit${process.pid}` };
    const worker = spawnRole('worker', { ...common, CODEBOX_WORKER_METRICS_PORT: '0' });
    const api = spawnRole('api', common);
    try {
      const { match } = await waitForLine(api, /listening on (http:\/\/[^\s"]+)/);
      const url = match[1] ?? '';
      await waitForLine(worker, /worker \S+: \d+ slots/);
      await until(async () => (await fetch(`${url}/readyz`)).status === 200);
      const res = await fetch(`${url}/v1/jobs?wait=true`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ language: 'bash', files: [{ content: 'echo split roles' }] }),
      });
      assert.equal(((await res.json()) as { result: { stdout: string } }).result.stdout, 'split roles\n');
      worker.kill('SIGTERM');
      api.kill('SIGTERM');
      assert.deepEqual([await exited(worker), await exited(api)], [0, 0]);
    } finally {
      worker.kill('SIGKILL');
      api.kill('SIGKILL');
      await redis.destroy();
    }
  });

  it('a second worker on one host, started as the first was: its own metrics port and its own uids', async () => {
    const redis = await startRedis();
    // neither CODEBOX_UID_BASE nor CODEBOX_WORKER_METRICS_PORT: as a user starts them
    const { CODEBOX_UID_BASE: _base, ...env } = roleEnv({
      REDIS_URL: redis.url,
      CODEBOX_REDIS_PREFIX: `cbtwo${process.pid}`,
      CODEBOX_SLOTS: '1',
    });
    const start = () => spawn(process.execPath, [path.join(ROOT, 'apps/worker/dist/main.js')], { env });
    const [first, second] = [start(), start()];
    try {
      const ports: number[] = [];
      for (const w of [first, second]) {
        const { match } = await waitForLine(w, /worker \S+: \d+ slots[\s\S]*metrics on 127\.0\.0\.1:(\d+)/);
        ports.push(Number(match[1]));
      }
      assert.notEqual(ports[0], ports[1]);
      for (const port of ports) assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200);
      // their uid ranges, claimed host-wide, do not overlap
      const claims = fs
        .readdirSync('/run/codebox-uids')
        .filter((n) => /^\d+$/.test(n))
        .map((n) => [Number(n), fs.readFileSync(`/run/codebox-uids/${n}`, 'utf8')] as const);
      const ours = claims.filter(([, text]) => [first.pid, second.pid].some((pid) => text.startsWith(`i-${pid}-`)));
      assert.equal(ours.length, 2, JSON.stringify(claims));
      // a port given and taken: one line, exit 2, nothing made
      const third = spawn(process.execPath, [path.join(ROOT, 'apps/worker/dist/main.js')], {
        env: { ...env, CODEBOX_WORKER_METRICS_PORT: String(ports[0]) },
      });
      let err = '';
      third.stderr.on('data', (d: Buffer) => (err += d.toString()));
      assert.equal(await exited(third), 2);
      assert.match(
        err,
        new RegExp(
          `^codebox-worker: CODEBOX_WORKER_METRICS_PORT="${ports[0]}": 127\\.0\\.0\\.1:${ports[0]} is in use \\(another worker on this host\\?\\): set a free port, or 0 for none\\n$`,
        ),
      );
      for (const w of [first, second]) w.kill('SIGTERM');
      assert.deepEqual([await exited(first), await exited(second)], [0, 0]);
    } finally {
      first.kill('SIGKILL');
      second.kill('SIGKILL');
      await redis.destroy();
    }
  });

  it('a bad setting is one line naming it, and exit 2', async () => {
    const child = spawnRole('server', { PORT: 'eighty', HOST: '0.0.0.0' });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    assert.equal(await exited(child), 2);
    assert.match(err, /^codebox: PORT="eighty": must be a whole number between 0 and 65535\n/);
  });
});
