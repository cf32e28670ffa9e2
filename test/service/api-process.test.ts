/**
 * The API process holds no engine: `npm run api` never loads koffi (the engine's native
 * module) nor a module of the engine, runtimes or judge — what scripts/check-deps.mjs
 * forbids in the source, seen here in a running process's memory map. A worker process,
 * which does load them, is the control.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
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

  it('an upgrade with a URL that does not parse is refused, and the process lives on', async (t) => {
    const redis = await startRedis();
    const api = await startApiProcess(redis.url, `cbtest-apiurl-${process.pid}`);
    t.after(async () => {
      api.child.kill('SIGTERM');
      await exited(api.child);
      await redis.destroy();
    });
    const { port } = new URL(api.url);
    // each parses as an HTTP request line, and none as a URL: a port past 65535, a bracket, a bare '//'
    for (const target of ['//x:99999/', '//[/', '//', 'http://[::1/v1/sessions/x/pty', '//a b/api/v2/connect']) {
      const answer = await new Promise<string>((resolve) => {
        const sock = net.connect(Number(port), '127.0.0.1');
        let got = '';
        sock.on('data', (c) => (got += c.toString()));
        sock.on('close', () => resolve(got));
        sock.on('error', () => resolve(got));
        sock.end(
          `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
      });
      assert.doesNotMatch(answer, /^HTTP\/1\.1 101/, `${target}: upgraded`);
      assert.equal(api.child.exitCode, null, `the API exited on ${target}`);
      const res = await fetch(`${api.url}/healthz`);
      assert.equal(res.status, 200, `after ${target}`);
    }
  });
});
