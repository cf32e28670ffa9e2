/**
 * The API process holds no engine: `npm run api` never loads koffi (the engine's native
 * module) nor a module of the engine, runtimes or judge — what scripts/check-deps.mjs
 * forbids in the source, seen here in a running process's memory map. A worker process,
 * which does load them, is the control.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { exited, startApiProcess, startWorkerProcess } from './processes.js';
import { serviceSkip, startRedis, until } from './stack.js';
import { UID_BASE } from '../support.js';

/** the files mapped into a process: shared objects and native modules among them */
function mapped(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
}

describe('the API process', { skip: serviceSkip() }, () => {
  it('maps no koffi and answers jobs; a worker maps koffi', async (t) => {
    const redis = await startRedis();
    const prefix = `cbtest-apiproc-${process.pid}`;
    const worker = await startWorkerProcess(redis.url, prefix, UID_BASE + 900);
    const api = await startApiProcess(redis.url, prefix);
    // the roles first, then their Redis
    t.after(async () => {
      for (const child of [api.child, worker.child]) child.kill('SIGTERM');
      await Promise.all([exited(api.child), exited(worker.child)]);
      await redis.destroy();
    });
    // the API serves a job, so it has loaded all it will
    await until(async () => (await fetch(`${api.url}/readyz`)).status === 200, 20_000);
    const res = await fetch(`${api.url}/v1/jobs?wait=true`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ language: 'bash', files: [{ content: 'echo hi' }] }),
    });
    assert.equal(((await res.json()) as { result?: { stdout: string } }).result?.stdout, 'hi\n');
    assert.match(mapped(worker.pid), /koffi/, 'the control: a worker maps koffi');
    assert.doesNotMatch(mapped(api.child.pid ?? 0), /koffi/);
  });
});
