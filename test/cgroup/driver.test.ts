/**
 * The cgroup driver end to end against the real kernel: whichever version this machine
 * runs (v1 on the hybrid development hosts, v2 in the guest of ../shared/cgroup-v2 via
 * `npm run test:v2`). Limits, OOM record, peak memory, cpu usage, kill-all and cleanup.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createSandbox } from '@codebox/sandbox';
import {
  assertProbesSeeARun,
  boxSkip,
  TEST_CONFIG,
  boxGroupsLeft,
  CGROUP_PARENT,
  ENV,
  mountsUnder,
  pidsCurrent,
  processesInUidRange,
  text,
  UID_BASE,
  WORK_ROOT,
  useSandbox,
  workDirsOf,
} from '../support.js';

const EXPECTED = process.env.CODEBOX_EXPECT_CGROUP; // "1" or "2" when the caller knows

describe(`cgroup driver on this kernel`, { skip: boxSkip('python3') }, () => {
  const sandbox = useSandbox();

  test('the driver matches the kernel', () => {
    const v2Only = !fs.existsSync('/sys/fs/cgroup/memory') && fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
    assert.equal(sandbox().cgroupVersion, v2Only ? 2 : 1);
    if (EXPECTED) assert.equal(String(sandbox().cgroupVersion), EXPECTED);
  });

  test('memory limit: an allocation over it is OOM-killed and recorded; peak is measured', async () => {
    const r = await sandbox().run({
      argv: ['python3', '-S', '-c', 'b = bytearray(200 << 20)'],
      env: ENV,
      limits: { memoryBytes: 50 << 20, wallMs: 30_000 },
    });
    assert.equal(r.status, 'MEMORY_LIMIT');
    assert.equal(r.oomKilled, true);
    assert.ok(r.memoryBytes > 40 << 20 && r.memoryBytes <= 50 << 20, `peak ${r.memoryBytes}`);
    const ok = await sandbox().run({
      argv: ['python3', '-S', '-c', 'b = bytearray(30 << 20)'],
      env: ENV,
      limits: { memoryBytes: 50 << 20, wallMs: 30_000 },
    });
    assert.equal(ok.status, 'OK');
    assert.ok(ok.memoryBytes >= 30 << 20, `peak ${ok.memoryBytes}`);
  });

  test('cpu usage is the cgroup’s, and the limit stops a spin', async () => {
    const r = await sandbox().run({
      argv: ['python3', '-S', '-c', 'while True: pass'],
      env: ENV,
      limits: { cpuMs: 500, wallMs: 30_000 },
    });
    assert.equal(r.status, 'TIME_LIMIT');
    assert.ok(r.cpuMs >= 500 && r.cpuMs < 1000, `cpuMs ${r.cpuMs}`);
  });

  test('cpu share: one core for two spinning processes takes twice the wall time', async () => {
    const spin = 'import os, time\nos.fork()\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass';
    const r = await sandbox().run({
      argv: ['python3', '-S', '-c', spin],
      env: ENV,
      limits: { cpus: 0.5, wallMs: 30_000 },
    });
    assert.equal(r.status, 'OK', text(r).err);
    // 0.8 s of cpu at half a core needs at least about 1.6 s of wall clock
    assert.ok(r.wallMs >= 1300, `wallMs ${r.wallMs} for cpuMs ${r.cpuMs}`);
  });

  test('pids limit: forks past it fail with EAGAIN', async () => {
    const forker =
      'import os, time\nn = 0\ntry:\n  while True:\n    if os.fork() == 0:\n      time.sleep(5); os._exit(0)\n    n += 1\nexcept OSError as e: print(n, e.errno)';
    const r = await sandbox().run({
      argv: ['python3', '-S', '-c', forker],
      env: ENV,
      limits: { pids: 8, wallMs: 30_000 },
    });
    // the box's init and python itself hold two of the eight
    assert.equal(text(r).out.trim(), '6 11');
  });

  test('kill-all: every process of the box, also a setsid daemon, is killed when the wall limit hits', async () => {
    let cgroup = '';
    let peak = 0;
    const seenOnHost = new Set<string>();
    // the control for "none left" below: while the box runs, the same probes see its processes
    // (every sample's: a process counted as it forked is seen only once it has exec'd)
    const sample = setInterval(() => {
      peak = Math.max(peak, cgroup ? pidsCurrent(cgroup) : 0);
      for (const p of processesInUidRange()) seenOnHost.add(p);
    }, 50);
    const r = await sandbox()
      .run(
        { argv: ['sh', '-c', 'setsid sh -c "sleep 100 & sleep 100" & sleep 100'], env: ENV, limits: { wallMs: 800 } },
        { onStart: (i) => void (cgroup = i.cgroup) },
      )
      .finally(() => clearInterval(sample));
    assert.equal(r.status, 'WALL_TIME_LIMIT');
    // sh, the daemon's sh and its two sleepers, the main sleeper (and the launcher)
    assert.ok(peak >= 5, `processes in the box's group while it ran: ${peak}`);
    assert.ok(
      [...seenOnHost].filter((p) => p.endsWith(':sleep')).length >= 3,
      `box processes on the host while it ran: ${[...seenOnHost].join(' ')}`,
    );
    assert.equal(pidsCurrent(cgroup), 0);
    await sandbox().idle();
    assert.deepEqual(processesInUidRange(), []);
  });

  test('cleanup: the box groups, mounts and work dirs are gone', async () => {
    // a run of this test's own (not only what earlier tests left), and the control that
    // the probes below see a box while one runs
    assert.equal(
      (await sandbox().run({ argv: ['sh', '-c', 'echo x > /box/f; echo x > /tmp/f'], env: ENV })).status,
      'OK',
    );
    await assertProbesSeeARun(sandbox());
    await sandbox().idle();
    assert.deepEqual(await boxGroupsLeft(`${CGROUP_PARENT}/${sandbox().instance}`), []);
    assert.deepEqual(mountsUnder(WORK_ROOT), []);
    assert.deepEqual(workDirsOf(sandbox().instance), []); // the title says work dirs too: it did not look
  });
});

describe('cgroup parent groups', { skip: boxSkip() }, () => {
  const hierarchyDirs = (rel: string) =>
    ['', ...fs.readdirSync('/sys/fs/cgroup')]
      .map((h) => path.join('/sys/fs/cgroup', h, rel))
      .filter((d) => fs.existsSync(d));

  test('an engine removes on close the parent groups it created, and only those', async () => {
    // the leak this guards: `codebox` groups left in every hierarchy by a CLI run
    const parent = `${CGROUP_PARENT}-own-${process.pid}/nested`;
    const sb = await createSandbox({ ...TEST_CONFIG, cgroupParent: parent, prestart: 0 });
    assert.equal((await sb.run({ argv: ['true'] })).status, 'OK');
    assert.ok(hierarchyDirs(parent).length > 0, 'the parent existed while the engine ran');
    await sb.close();
    assert.deepEqual(hierarchyDirs(`${CGROUP_PARENT}-own-${process.pid}`), []);
  });

  test('a parent that was there before is left in place', async () => {
    const sb = await createSandbox({ ...TEST_CONFIG, prestart: 0 });
    const kept = hierarchyDirs(CGROUP_PARENT);
    const instance = hierarchyDirs(`${CGROUP_PARENT}/${sb.instance}`);
    // the control: there is a parent and an instance group to lose
    assert.ok(
      kept.length > 0 && instance.length === kept.length,
      `parent ${kept.join(' ')}, instance ${instance.join(' ')}`,
    );
    // a uid range of its own: two live engines never share one (uid-claims.ts)
    const other = await createSandbox({
      ...TEST_CONFIG,
      uidBase: UID_BASE + 64,
      prestart: 0,
    });
    await other.close();
    assert.deepEqual(hierarchyDirs(CGROUP_PARENT), kept, 'the first engine’s parent stays');
    assert.deepEqual(hierarchyDirs(`${CGROUP_PARENT}/${sb.instance}`), instance, 'and so does its instance');
    await sb.close();
  });
});
