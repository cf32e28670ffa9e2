/**
 * Both drivers against fake cgroup trees (plain directories): which files each writes,
 * and what it reads back. The kernel's side is tested end to end in test/cgroup.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FsManager } from './fs.js';
import type { V1Mounts } from './fs.js';
import { Fs2Manager } from './fs2.js';
import { normalizeParent } from './new.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-fake-cg-'));
}
const read = (f: string) => fs.readFileSync(f, 'utf8');

test('v1: limits land in each controller, memsw after memory, usage read back', async () => {
  const root = tmp();
  const mounts = new Map([
    ['memory', path.join(root, 'memory')],
    ['cpu', path.join(root, 'cpu')],
    ['cpuacct', path.join(root, 'cpu')],
    ['pids', path.join(root, 'pids')],
  ]) as V1Mounts;
  const m = await FsManager.create(mounts, 'codebox-test', 'i-1-1');
  const boxMem = path.join(root, 'memory/codebox-test/i-1-1/b');
  fs.mkdirSync(boxMem, { recursive: true });
  fs.writeFileSync(path.join(boxMem, 'memory.memsw.limit_in_bytes'), '');
  fs.writeFileSync(path.join(boxMem, 'memory.kmem.tcp.limit_in_bytes'), '');
  const box = await m.createBox('b', { memoryBytes: 64 << 20, pids: 16, cpus: 0.5 });
  assert.equal(read(path.join(boxMem, 'memory.limit_in_bytes')), String(64 << 20));
  assert.equal(read(path.join(boxMem, 'memory.memsw.limit_in_bytes')), String(64 << 20));
  // socket buffers, a counter of their own on v1, bounded as much as memory
  assert.equal(read(path.join(boxMem, 'memory.kmem.tcp.limit_in_bytes')), String(64 << 20));
  assert.equal(read(path.join(root, 'cpu/codebox-test/i-1-1/b/cpu.cfs_quota_us')), '50000');
  assert.equal(read(path.join(root, 'pids/codebox-test/i-1-1/b/pids.max')), '16');
  fs.writeFileSync(path.join(root, 'cpu/codebox-test/i-1-1/b/cpuacct.usage'), '1234567\n');
  fs.writeFileSync(path.join(boxMem, 'memory.max_usage_in_bytes'), '4096\n');
  fs.writeFileSync(path.join(boxMem, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  assert.deepEqual(await box.usage(), { cpuNs: 1234567n, memoryPeakBytes: 4096, oomKills: 2 });
  await box.addProcess(42);
  assert.equal(read(path.join(root, 'pids/codebox-test/i-1-1/b/cgroup.procs')), '42');
  fs.rmSync(root, { recursive: true });
});

test('v2: controllers delegated down to the instance, limits and usage in the box', async () => {
  const root = tmp();
  fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'memory\n');
  const fakeChild = (dir: string) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cgroup.controllers'), 'cpu memory pids\n');
    fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), '\n');
  };
  fakeChild(path.join(root, 'codebox-test'));
  fakeChild(path.join(root, 'codebox-test/i-1-1'));
  const m = await Fs2Manager.create(root, 'codebox-test', 'i-1-1');
  assert.equal(read(path.join(root, 'cgroup.subtree_control')), '+cpu +pids');
  assert.equal(read(path.join(root, 'codebox-test/i-1-1/cgroup.subtree_control')), '+memory +cpu +pids');
  const boxDir = path.join(root, 'codebox-test/i-1-1/b');
  fs.mkdirSync(boxDir);
  fs.writeFileSync(path.join(boxDir, 'memory.swap.max'), 'max');
  fs.writeFileSync(path.join(boxDir, 'memory.peak'), '8192\n');
  const box = await m.createBox('b', { memoryBytes: 1 << 20, pids: 8, cpus: 2 });
  assert.equal(read(path.join(boxDir, 'memory.max')), String(1 << 20));
  assert.equal(read(path.join(boxDir, 'memory.swap.max')), '0');
  assert.equal(read(path.join(boxDir, 'cpu.max')), '200000 100000');
  assert.equal(read(path.join(boxDir, 'pids.max')), '8');
  fs.writeFileSync(path.join(boxDir, 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\n');
  fs.writeFileSync(path.join(boxDir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
  assert.deepEqual(await box.usage(), { cpuNs: 1_500_000n, memoryPeakBytes: 8192, oomKills: 1 });
  fs.rmSync(root, { recursive: true });
});

test('v2: a controller the parent does not delegate is a clear error', async () => {
  const root = tmp();
  fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu pids\n');
  fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), '\n');
  await assert.rejects(Fs2Manager.create(root, 'p', 'i-1-1'), /controllers memory .*not delegated/);
  fs.rmSync(root, { recursive: true });
});

test('the parent is a path of plain names below the hierarchy root', () => {
  assert.equal(normalizeParent('/codebox-test/'), 'codebox-test');
  assert.equal(normalizeParent('a/b'), 'a/b');
  for (const bad of ['', '/', '..', 'a/../b', './a']) assert.throws(() => normalizeParent(bad), bad);
});
