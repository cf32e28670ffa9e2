/**
 * DESIGN.md "The box", properties 1-8, each checked from inside a real box by a probe
 * that would see the host if the property were missing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Sandbox } from '@codebox/sandbox';
import {
  assertProbesSeeARun,
  makeTinyRoot,
  boxSkip,
  CGROUP_PARENT,
  ENV,
  hostNamespace,
  mountsUnder,
  boxGroupsLeft,
  openSandbox,
  processesInUidRange,
  text,
  TEST_ROOTFS,
  UID_BASE,
  WORK_ROOT,
  useSandbox,
  workDirsOf,
} from '../support.js';

describe('box properties', { skip: boxSkip('python3') }, () => {
  const sandbox = useSandbox();
  const sh = async (
    script: string,
    extra: Parameters<Sandbox['run']>[0] extends infer S ? Partial<S & object> : never = {},
  ) => {
    const r = await sandbox().run({ argv: ['sh', '-c', script], env: ENV, ...extra });
    return { ...r, ...text(r) };
  };

  test('1. fresh namespaces: user, pid, net, mount, uts, ipc and cgroup all differ from the host', async () => {
    const kinds = ['user', 'pid', 'net', 'mnt', 'uts', 'ipc', 'cgroup'];
    const r = await sh(kinds.map((k) => `readlink /proc/self/ns/${k}`).join(';'));
    const inside = r.out.trim().split('\n');
    kinds.forEach((k, i) => assert.notEqual(inside[i], hostNamespace(k), k));
    assert.equal((await sh('hostname')).out.trim(), 'box');
  });

  test('1. nothing one run writes is visible to the next', async () => {
    const left = ['/box/left', '/tmp/left', '/dev/shm/left'];
    const wrote = await sh(`${left.map((f) => `echo secret > ${f}`).join('; ')}; cat ${left.join(' ')}`);
    assert.equal(wrote.out, 'secret\nsecret\nsecret\n', `the first run wrote all three: ${wrote.err}`);
    const r = await sh(`cat ${left.join(' ')} 2>&1; ls -A /box /tmp /dev/shm; echo probed`);
    assert.doesNotMatch(r.out, /secret/);
    // the reader ran to its end, and looked for each file where the first run left it
    assert.match(r.out, /\nprobed\n$/);
    for (const f of left) assert.match(r.out, new RegExp(`${f}: No such file`), f);
  });

  test('2. unprivileged: a non-zero host uid, no capabilities, no_new_privs, no nested user namespaces', async () => {
    const running = sh(
      'grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; unshare -U true 2>&1; echo "unshare=$?"; sleep 1',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    // seen from the host, every process of the box runs as a box uid, none as root
    const onHost = processesInUidRange();
    const r = await running;
    assert.ok(onHost.length >= 2, `box processes under box uids on the host: ${onHost.join(' ')}`);
    assert.match(r.out, /CapEff:\s+0+\n/);
    assert.match(r.out, /CapPrm:\s+0+\n/);
    assert.match(r.out, /NoNewPrivs:\s+1/);
    assert.match(r.out, /Seccomp:\s+2/);
    assert.match(r.out, /unshare=1/);
  });

  test('2. a setuid-root binary gives nothing: still uid 65534', async (t) => {
    // a root holding `id` made setuid root: were the box a plain process of the host
    // without no_new_privs, it would print 0
    const root = makeTinyRoot(['/usr/bin/id']);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    fs.chmodSync(path.join(root, 'usr/bin/id'), 0o4755);
    const r = await sandbox().run({ argv: ['/usr/bin/id', '-u'], rootfs: root });
    assert.equal(r.status, 'OK', text(r).err);
    assert.equal(text(r).out, '65534\n');
  });

  test('3. read-only root: only /box, /tmp and /dev/shm are writable', async () => {
    const paths = ['/', '/usr', '/etc', '/usr/bin', '/dev', '/proc/sys/kernel', '/box', '/tmp', '/dev/shm'];
    const r = await sh(
      paths.map((p) => `touch ${p}/probe 2>/dev/null && echo "${p} writable" || echo "${p} refused"`).join(';'),
    );
    for (const p of ['/', '/usr', '/etc', '/usr/bin', '/dev', '/proc/sys/kernel'])
      assert.match(r.out, new RegExp(`^${p} refused$`, 'm'));
    for (const p of ['/box', '/tmp', '/dev/shm']) assert.match(r.out, new RegExp(`^${p} writable$`, 'm'));
  });

  test('3. no host path beyond the root image: not home dirs, not /var, /run, the work root or this project', async () => {
    const hostOnly = [
      '/root',
      '/home',
      '/var',
      '/srv',
      '/opt',
      '/mnt',
      '/media',
      '/sys',
      '/work',
      WORK_ROOT,
      process.cwd(),
      '/etc/shadow',
      '/etc/sudoers',
    ];
    // the ones that matter most are there on the host, to be hidden
    for (const p of [WORK_ROOT, process.cwd(), '/root', '/var', '/sys'])
      assert.ok(fs.existsSync(p), `${p} on the host`);
    // the same test sees what is there (/usr/bin, /box: the box's own) and runs to its end
    const r = await sh(
      [...hostOnly, '/usr/bin', '/box'].map((p) => `test -e '${p}' && echo "present ${p}"`).join(';') + '; echo done',
    );
    // an image root's own /var, /home or /etc/shadow are the image's, not the host's
    // (its /sys never is: the engine leaves it out, as it makes /proc, /dev, /tmp and /run)
    const own = hostOnly.filter(
      (p) => p !== '/sys' && TEST_ROOTFS !== undefined && fs.existsSync(path.join(TEST_ROOTFS, p)),
    );
    assert.equal(r.out, [...own, '/usr/bin', '/box'].map((p) => `present ${p}\n`).join('') + 'done\n');
    // /run is the box's own: it holds the box init and nothing of the host's /run
    assert.equal((await sh('find /run')).out, '/run\n/run/codebox\n/run/codebox/init\n');
    const users = (await sh('cat /etc/passwd')).out;
    assert.equal(users, 'box:x:65534:65534:box:/box:/bin/sh\n');
  });

  test('3. /proc shows the box’s own processes only, /dev only the five devices', async () => {
    const procs = await sh('for p in /proc/[0-9]*; do cat $p/comm; done');
    assert.deepEqual([...new Set(procs.out.trim().split('\n'))].sort(), ['bwrap', 'sh']);
    const dev = (await sh('ls /dev')).out.trim().split('\n');
    assert.deepEqual(dev.sort(), [
      'fd',
      'full',
      'null',
      'random',
      'shm',
      'stderr',
      'stdin',
      'stdout',
      'urandom',
      'zero',
    ]);
  });

  test('3. the environment is built from scratch: only what the spec gives', async (t) => {
    // in the engine's environment before it spawns this run's launcher (a fresh engine,
    // no spare started earlier without it), so a launcher that inherited it could pass it on
    process.env.CODEBOX_TEST_SECRET = 'worker-secret-value';
    t.after(() => delete process.env.CODEBOX_TEST_SECRET);
    const sb = await openSandbox({ uidBase: UID_BASE + 500, uidCount: 4, prestart: 0 });
    t.after(() => sb.close());
    const r = await sb.run({ argv: ['/usr/bin/env'], env: { ONLY: 'this' } });
    assert.deepEqual(text(r).out.trim().split('\n').sort(), ['ONLY=this', 'PWD=/box']);
  });

  test('3. no descriptor of the engine reaches the box', async () => {
    const leaked = fs.openSync('/etc/hostname', 'r'); // not close-on-exec? Node's are; check anyway
    const r = await sh('ls /proc/self/fd');
    fs.closeSync(leaked);
    assert.deepEqual(r.out.trim().split('\n'), ['0', '1', '2', '3']); // 3: ls's own directory
  });

  test('4. network: only a loopback interface, and with network none no IP socket at all', async () => {
    const ifaces = await sh('tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "', { network: 'loopback' });
    assert.equal(ifaces.out.trim(), 'lo');
    const r = await sandbox().run({
      argv: [
        'python3',
        '-S',
        '-c',
        'import socket\ntry:\n socket.socket()\n print("socket")\nexcept OSError as e: print(e.errno)',
      ],
      env: ENV,
    });
    assert.equal(text(r).out.trim(), '13'); // EACCES
  });

  test('6. limits reach the program as rlimits: file size, open files, stack, no core dumps', async () => {
    const r = await sh('ulimit -f; ulimit -n; ulimit -s; ulimit -c', {
      limits: { fileSizeBytes: 1 << 20, openFiles: 40, stackBytes: 16 << 20 },
    });
    assert.deepEqual(r.out.trim().split('\n'), ['2048', '40', '16384', '0']); // -f and -s in 512/1024-byte units
  });

  test('6. work dir and /tmp are size-limited tmpfs', async () => {
    const r = await sh('df -k /box /tmp | tail -n 2', { limits: { workDirBytes: 8 << 20, tmpBytes: 4 << 20 } });
    const sizes = r.out
      .trim()
      .split('\n')
      .map((l) => Number(l.split(/\s+/)[1]));
    assert.deepEqual(sizes, [8192, 4096]);
  });

  test('7. accounting: exit code, cpu, wall and peak memory are measured', async () => {
    const r = await sandbox().run({
      argv: [
        'python3',
        '-S',
        '-c',
        'b = bytearray(50 << 20)\nimport time\nt=time.process_time()\nwhile time.process_time()-t < 0.3: pass\nraise SystemExit(7)',
      ],
      env: ENV,
    });
    assert.equal(r.status, 'RUNTIME_ERROR');
    assert.equal(r.exitCode, 7);
    assert.ok(r.cpuMs >= 280 && r.cpuMs < 1000, `cpuMs ${r.cpuMs}`);
    assert.ok(r.wallMs >= r.cpuMs - 20, `wallMs ${r.wallMs}`);
    assert.ok(r.memoryBytes >= 50 << 20, `memoryBytes ${r.memoryBytes}`);
  });

  test('7. a signal is reported by name', async () => {
    const r = await sh('kill -SEGV $$');
    assert.equal(r.status, 'RUNTIME_ERROR');
    assert.equal(r.signal, 'SIGSEGV');
    assert.equal(r.exitCode, null);
  });

  test('8. clean: no cgroup, mount or work dir of a finished run remains', async () => {
    await assertProbesSeeARun(sandbox()); // so that each "none remains" below can fail
    let cgroup = '';
    await sandbox().run({ argv: ['true'] }, { onStart: (i) => void (cgroup = i.cgroup) });
    await sandbox().idle();
    assert.ok(cgroup.startsWith(`${CGROUP_PARENT}/${sandbox().instance}/`), cgroup);
    assert.deepEqual(await boxGroupsLeft(`${CGROUP_PARENT}/${sandbox().instance}`), []);
    assert.deepEqual(mountsUnder(WORK_ROOT), []);
    assert.deepEqual(workDirsOf(sandbox().instance), []);
  });
});
