/**
 * The sandbox's own failures: each is a SandboxError naming the step, the engine stays
 * up, and nothing leaks — not a descriptor, a cgroup, a mount.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createSandbox, SandboxError } from '@codebox/sandbox';
import {
  assertProbesSeeARun,
  boxSkip,
  boxGroupsLeft,
  CGROUP_PARENT,
  mountsUnder,
  processesInUidRange,
  TEST_CONFIG,
  WORK_ROOT,
  useSandbox,
} from '../support.js';

const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe('sandbox failures', { skip: boxSkip() }, () => {
  const sandbox = useSandbox();

  test('a box that fails its own setup is LAUNCH_FAILED with bwrap’s reason, every time, leaking nothing', async (t) => {
    // a root the box's uid cannot enter: bwrap's mount of it fails after it reported the pid
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-closed-root-'));
    fs.mkdirSync(path.join(root, 'usr'));
    fs.chmodSync(root, 0o700);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    await sandbox().run({ argv: ['true'] }); // warm: the first run opens what every run shares
    await assertProbesSeeARun(sandbox()); // so that "no group, no mount left" below can fail
    await sandbox().idle();
    const fdsBefore = openFds();
    for (let i = 0; i < 10; i++) {
      await assert.rejects(sandbox().run({ argv: ['/usr/bin/true'], rootfs: root }), (e: unknown) => {
        assert.ok(e instanceof SandboxError, String(e));
        assert.equal(e.code, 'LAUNCH_FAILED', e.message);
        assert.match(e.message, /bwrap: /);
        return true;
      });
    }
    await sandbox().idle();
    assert.ok(openFds() <= fdsBefore, `descriptors ${fdsBefore} -> ${openFds()}`);
    assert.deepEqual(await boxGroupsLeft(`${CGROUP_PARENT}/${sandbox().instance}`), []);
    assert.deepEqual(mountsUnder(WORK_ROOT), []);
    assert.equal((await sandbox().run({ argv: ['true'] })).status, 'OK');
  });

  test('a launcher that cannot be spawned is LAUNCH_FAILED, not a crash', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-launcher-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const prlimit = path.join(dir, 'prlimit');
    fs.copyFileSync('/usr/bin/prlimit', prlimit);
    fs.chmodSync(dir, 0o755);
    const broken = await createSandbox({
      ...TEST_CONFIG,
      uidBase: (TEST_CONFIG.uidBase ?? 0) + 200,
      prlimitPath: prlimit,
      prestart: 0,
    });
    t.after(() => broken.close());
    fs.chmodSync(prlimit, 0o600); // no longer executable: spawn fails with EACCES
    await assert.rejects(
      broken.run({ argv: ['true'] }),
      (e: unknown) => e instanceof SandboxError && e.code === 'LAUNCH_FAILED' && /EACCES/.test(e.message),
    );
  });

  test('a missing or non-executable tool stops the engine at start, naming the package', async (t) => {
    await assert.rejects(
      createSandbox({ ...TEST_CONFIG, bwrapPath: '/nonexistent/bwrap' }),
      /install it with: apt-get install -y bubblewrap/,
    );
    const plain = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-noexec-')), 'prlimit');
    fs.writeFileSync(plain, '', { mode: 0o644 });
    t.after(() => fs.rmSync(path.dirname(plain), { recursive: true, force: true }));
    await assert.rejects(
      createSandbox({ ...TEST_CONFIG, prlimitPath: plain }),
      (e: unknown) => e instanceof SandboxError && e.code === 'TOOL_MISSING',
    );
  });

  test('all boxes together are capped: the instance group has pids and memory limits', () => {
    const pidsMax = [
      `/sys/fs/cgroup/pids/${CGROUP_PARENT}/${sandbox().instance}/pids.max`,
      `/sys/fs/cgroup/${CGROUP_PARENT}/${sandbox().instance}/pids.max`,
    ].find((f) => fs.existsSync(f));
    assert.ok(pidsMax, 'instance pids.max');
    const value = Number(fs.readFileSync(pidsMax, 'utf8'));
    assert.ok(value > 0 && value <= 16384, `instance pids.max ${value}`);
  });
});

describe('uid ranges, claimed host-wide', { skip: boxSkip() }, () => {
  test('a second engine on a taken range stops at start naming the holder; one allowed to search takes the next range', async () => {
    const base = (TEST_CONFIG.uidBase ?? 0) + 500;
    const first = await createSandbox({ ...TEST_CONFIG, uidBase: base, uidCount: 8, prestart: 0 });
    try {
      await assert.rejects(
        createSandbox({ ...TEST_CONFIG, uidBase: base + 4, uidCount: 8, prestart: 0 }),
        (e: unknown) => {
          assert.ok(e instanceof SandboxError && e.code === 'UIDS_TAKEN', String(e));
          assert.match(e.message, new RegExp(`overlap the range engine ${first.instance} holds`));
          return true;
        },
      );
      const second = await createSandbox({ ...TEST_CONFIG, uidBase: base, uidCount: 8, uidSearch: 4, prestart: 0 });
      try {
        assert.deepEqual(second.uids, { base: base + 8, count: 8 });
        const running = second.run({ argv: ['sleep', '1'], env: { PATH: '/usr/bin:/bin' } });
        await new Promise((r) => setTimeout(r, 400));
        assert.ok(processesInUidRange(base + 8, 8).length > 0, 'its box runs as a uid of its own range');
        assert.deepEqual(processesInUidRange(base, 8), []);
        assert.equal((await running).status, 'OK');
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
    // released at close: the range is free again
    const again = await createSandbox({ ...TEST_CONFIG, uidBase: base, uidCount: 8, prestart: 0 });
    assert.deepEqual(again.uids, { base, count: 8 });
    await again.close();
  });
});
