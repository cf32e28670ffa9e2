/**
 * Escape and exhaustion attempts: each a real program in test/hostile/programs, run in a
 * real box, with the outcome it must get. Each would break out, or take the host down,
 * if the property it targets were missing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import koffi from 'koffi';
import {
  assertProbesSeeARun,
  boxSkip,
  boxGroupsLeft,
  CGROUP_PARENT,
  ENV,
  mountsUnder,
  openSandbox,
  pidsCurrent,
  processesInUidRange,
  PROGRAMS,
  runProgram,
  text,
  TEST_ROOTFS,
  UID_BASE,
  useSandbox,
  waitingBoxes,
  WORK_ROOT,
  workDirsOf,
} from '../support.js';

const EPERM = 1;
const ENOSPC = 28;
const EMFILE = 24;

describe('hostile programs', { skip: boxSkip('python3') }, () => {
  const sandbox = useSandbox();

  test('fork bomb: held by the pids limit, ended by the wall clock, nothing left', async () => {
    let cgroup = '';
    let peak = 0;
    let seenOnHost = 0;
    const sample = setInterval(() => {
      const now = cgroup ? pidsCurrent(cgroup) : 0;
      peak = Math.max(peak, now);
      // the control for "nothing left": while the bomb runs, the same probe sees its processes
      if (now >= 16 && seenOnHost === 0) seenOnHost = processesInUidRange().length;
    }, 20);
    const r = await runProgram(
      sandbox(),
      'fork-bomb.py',
      { limits: { pids: 32, wallMs: 2000 } },
      { onStart: (i) => void (cgroup = i.cgroup) },
    ).finally(() => clearInterval(sample));
    assert.equal(r.status, 'WALL_TIME_LIMIT');
    // the group also holds the box's launcher (bwrap's monitor, outside the box): 32 + 1
    assert.ok(peak >= 16 && peak <= 33, `processes seen at once: ${peak}`);
    assert.ok(seenOnHost >= 8, `box processes seen on the host while the bomb ran: ${seenOnHost}`);
    // the box prepared for the next run is made while this one runs: let it be ready
    await sandbox().idle();
    assert.deepEqual(processesInUidRange(), []);
    assert.equal((await sandbox().run({ argv: ['true'] })).status, 'OK', 'the host still runs boxes');
  });

  test('fork until refused: no more processes than the pids limit', async () => {
    await assertProbesSeeARun(sandbox()); // so that "no process left" below can fail
    const r = await runProgram(sandbox(), 'fork-count.py', { limits: { pids: 20 } });
    const [count, errno] = text(r).out.trim().split(' ').map(Number);
    assert.equal(r.status, 'OK');
    assert.equal(errno, 11); // EAGAIN from the pids controller
    assert.ok(count !== undefined && count >= 10 && count < 20, `forked ${count}`);
    assert.ok(r.wallMs < 5000, 'the run ends with its main process; sleepers do not hold it');
    await sandbox().idle();
    assert.deepEqual(processesInUidRange(), []);
  });

  test('thread bomb: threads count against the pids limit too', async () => {
    const r = await runProgram(sandbox(), 'thread-bomb.py', { limits: { pids: 24 } });
    const count = Number(text(r).out.trim());
    assert.equal(r.status, 'OK');
    assert.ok(count >= 10 && count < 24, `threads ${count}`);
  });

  test('memory bomb: MEMORY_LIMIT from the cgroup OOM record, peak at the limit', async () => {
    const r = await runProgram(sandbox(), 'memory-bomb.py', { limits: { memoryBytes: 64 << 20 } });
    assert.equal(r.status, 'MEMORY_LIMIT');
    assert.equal(r.oomKilled, true);
    assert.ok(r.memoryBytes > 48 << 20 && r.memoryBytes <= 64 << 20, `peak ${r.memoryBytes}`);
  });

  test('cpu spin: TIME_LIMIT with cpuMs close to the limit', async () => {
    const r = await runProgram(sandbox(), 'cpu-spin.py', { limits: { cpuMs: 700, wallMs: 10_000 } });
    assert.equal(r.status, 'TIME_LIMIT');
    assert.equal(r.killedBy, 'cpu');
    assert.ok(r.cpuMs >= 700 && r.cpuMs <= 900, `cpuMs ${r.cpuMs}`);
  });

  test('sleep: WALL_TIME_LIMIT with almost no cpu', async () => {
    const r = await sandbox().run({ argv: ['sleep', '30'], env: ENV, limits: { wallMs: 500 } });
    assert.equal(r.status, 'WALL_TIME_LIMIT');
    assert.ok(r.wallMs >= 500 && r.wallMs < 1500, `wallMs ${r.wallMs}`);
    assert.ok(r.cpuMs < 100);
  });

  test('endless output: OUTPUT_LIMIT at exactly the limit, the engine’s memory bounded', async () => {
    const rssBefore = process.memoryUsage().rss;
    const r = await runProgram(sandbox(), 'endless-output.py', { limits: { outputBytes: 1 << 20, wallMs: 20_000 } });
    assert.equal(r.status, 'OUTPUT_LIMIT');
    assert.equal(r.stdout.length, 1 << 20);
    assert.equal(r.stdoutTruncated, true);
    assert.ok(r.wallMs < 5000, `killed promptly, not at the wall limit (${r.wallMs} ms)`);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 << 20, 'engine rss grew by less than 64 MiB');
  });

  for (const dir of ['/box', '/tmp']) {
    test(`filling ${dir}: ENOSPC at its size, the host disk untouched`, async () => {
      const r = await runProgram(sandbox(), 'fill-disk.py', {
        argv: [dir],
        limits: { workDirBytes: 8 << 20, tmpBytes: 8 << 20, fileSizeBytes: 64 << 20 },
      });
      const [written, errno] = text(r).out.trim().split(' ').map(Number);
      assert.equal(errno, ENOSPC);
      assert.ok(written !== undefined && written >= 4 << 20 && written <= 8 << 20, `wrote ${written}`);
      // what it wrote is in memory, the box's own (a tmpfs charged to its cgroup), not on a
      // disk: the host's free space is no proof on a shared machine, where others write too
      assert.ok(r.memoryBytes >= written, `the box's memory ${r.memoryBytes} holds the ${written} bytes`);
    });
  }

  test('a file over the file-size limit: SIGXFSZ, and the file stops at the limit', async () => {
    const r = await sandbox().run({
      argv: ['sh', '-c', 'head -c 2000000 /dev/zero > /box/big'],
      env: ENV,
      limits: { fileSizeBytes: 1 << 20 },
    });
    assert.equal(r.status, 'RUNTIME_ERROR');
    assert.match(`${r.signal} ${text(r).err}`, /SIGXFSZ|File too large/);
    // what the writer got onto the disk, seen from inside the box: the limit, not a byte
    // more (this replaces a check of the host's /box/big, a path only boxes have, which
    // could never fail); 153 = 128 + SIGXFSZ, the writer's death
    const written = await sandbox().run({
      argv: ['sh', '-c', 'head -c 2000000 /dev/zero > big; echo "exit $?"; wc -c < big'],
      env: ENV,
      limits: { fileSizeBytes: 1 << 20 },
    });
    assert.equal(text(written).out, `exit 153\n${1 << 20}\n`, text(written).err);
  });

  test('the host’s 127.0.0.1, ::1 and abstract unix sockets are out of reach', async (t) => {
    const server = net.createServer((c) => c.on('error', () => undefined).end('host secret\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const abstract = `codebox-test-${process.pid}`;
    const unix = net.createServer((c) => c.on('error', () => undefined).end('host secret\n'));
    await new Promise<void>((resolve) => unix.listen(`\0${abstract}`, resolve));
    t.after(() => {
      server.close();
      unix.close();
    });
    const port = String((server.address() as net.AddressInfo).port);
    // and ::1 on the same port, which the probe tries too
    const server6 = net.createServer((c) => c.on('error', () => undefined).end('host secret\n'));
    await new Promise<void>((resolve, reject) => {
      server6.once('error', reject);
      server6.listen(Number(port), '::1', resolve);
    });
    t.after(() => server6.close());
    // the listeners are real: the host itself connects to each, and is answered
    const answer = (to: net.NetConnectOpts) =>
      new Promise<string>((resolve, reject) => {
        let got = '';
        const probe = net.connect(to);
        probe.on('data', (d) => (got += d.toString()));
        probe.on('end', () => resolve(got));
        probe.on('error', reject);
      });
    for (const to of [
      { port: Number(port), host: '127.0.0.1' },
      { port: Number(port), host: '::1' },
      { path: `\0${abstract}` },
    ]) {
      assert.equal(await answer(to), 'host secret\n', JSON.stringify(to));
    }
    for (const network of ['loopback', 'none'] as const) {
      const r = await runProgram(sandbox(), 'connect-host.py', { argv: [port, abstract], network });
      const out = text(r).out;
      assert.doesNotMatch(out, /CONNECTED/, network);
      assert.match(out, /refused abstract 111/, `${network}: abstract socket ECONNREFUSED`);
      assert.match(out, network === 'loopback' ? /refused 127\.0\.0\.1 111/ : /refused 127\.0\.0\.1 13/, network);
      assert.match(out, /^refused ::1 \d+$/m, `${network}: the ::1 probe ran`);
    }
  });

  test('secrets: no shadow, no home, not the worker’s environment, not the host’s pid 1', async (t) => {
    // what the probe looks for is there on the host
    assert.ok(fs.existsSync('/etc/shadow'), 'the host has a shadow file to hide');
    // in the engine's environment before its launcher for this run is spawned (a fresh
    // engine, no spare from before), so that a launcher that inherited it could pass it on
    process.env.CODEBOX_WORKER_SECRET = 'hunter2-worker-secret';
    t.after(() => delete process.env.CODEBOX_WORKER_SECRET);
    const sb = await openSandbox({ uidBase: UID_BASE + 500, uidCount: 4, prestart: 0 });
    t.after(() => sb.close());
    const r = await runProgram(sb, 'read-secrets.sh');
    const out = text(r).out;
    // the probe ran to its end, and its readers work: it printed the environment of the
    // box's own processes (what the spec gave) and the listing of /etc
    assert.match(out, /^read-secrets done$/m, text(r).err);
    assert.match(out, /^LANG=C\.UTF-8$/m, 'a box process’s environ was read');
    assert.match(out, /^passwd$/m, '/etc was listed');
    // an image root's own /home or /etc/shadow are the image's (and its shadow unreadable)
    const found = [...out.matchAll(/^FOUND (.*)$/gm)].map((m) => m[1] ?? '');
    assert.deepEqual(
      found.filter((p) => TEST_ROOTFS === undefined || !fs.existsSync(path.join(TEST_ROOTFS, p))),
      [],
    );
    assert.doesNotMatch(out, /hunter2-worker-secret/);
    assert.doesNotMatch(out, /REDIS|HOME=\/root|PATH=\/root/);
    const hostInit = fs.readFileSync('/proc/1/cmdline', 'utf8').split('\0')[0] ?? '';
    assert.ok(hostInit, 'the host’s pid 1 has a command line to hide');
    // (where the tests themselves run in a bubblewrap box, its pid 1 is bwrap, as the box's is)
    if (hostInit !== 'bwrap') assert.ok(!out.includes(hostInit), `host init ${hostInit} visible`);
  });

  test('kill -9 -1: only the box dies; a neighbour box and the host run on', async () => {
    const neighbour = sandbox().run({ argv: ['sh', '-c', 'sleep 1; echo alive'], env: ENV });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const r = await runProgram(sandbox(), 'kill-all.sh');
    // the sender survives kill -1 by definition; its own background sleeper must not
    assert.equal(text(r).out, 'sleeper killed\nsurvived\n');
    const n = await neighbour;
    assert.equal(n.status, 'OK');
    assert.equal(text(n).out, 'alive\n');
  });

  test('a double-forked setsid daemon is gone when the run ends', async () => {
    // the box's processes by command line, sampled when the parent says it is done (it
    // waits a moment before it ends)
    const commands = () =>
      processesInUidRange().map((p) => {
        try {
          return fs
            .readFileSync(`/proc/${p.split(':')[0]}/cmdline`, 'utf8')
            .split('\0')
            .join(' ')
            .trim();
        } catch {
          return ''; // gone meanwhile
        }
      });
    let during: string[] = [];
    const r = await runProgram(sandbox(), 'daemon.sh', {}, { onOutput: () => void (during = commands()) });
    assert.equal(text(r).out, 'parent-done\n');
    // the control: the daemon's sleeper was up, and the probe saw it, while the run lasted
    assert.ok(during.includes('sleep 300'), `box processes while it ran: ${during.join(', ')}`);
    await sandbox().idle();
    assert.deepEqual(processesInUidRange(), []);
  });

  test('ptrace, pidfd_getfd, user namespaces, io_uring, bpf, perf, keyrings, userfaultfd, kcmp, handles: EPERM', async () => {
    const so = koffi.load('libseccomp.so.2');
    const resolve = so.func('int seccomp_syscall_resolve_name(const char *name)');
    const names = [
      'ptrace',
      'io_uring_setup',
      'perf_event_open',
      'bpf',
      'keyctl',
      'userfaultfd',
      'kcmp',
      'name_to_handle_at',
      'unshare',
      'pidfd_getfd',
    ];
    const args = names.map((n) => `${n}=${resolve(n)}`);
    // baseline: the same probe unfiltered, as an unprivileged host user, is not refused
    const bare = execFileSync(
      'setpriv',
      [
        '--reuid',
        '65534',
        '--regid',
        '65534',
        '--clear-groups',
        '/usr/bin/python3',
        '-S',
        path.join(PROGRAMS, 'syscalls.py'),
        ...args,
      ],
      { encoding: 'utf8' },
    );
    for (const line of bare.trim().split('\n'))
      assert.notEqual(Number(line.split(' ')[1]), EPERM, `unfiltered: ${line}`);
    const r = await runProgram(sandbox(), 'syscalls.py', { argv: [...args, `mount=${resolve('mount')}`] });
    const lines = text(r).out.trim().split('\n');
    assert.equal(lines.length, names.length + 1, text(r).err);
    for (const line of lines) assert.equal(Number(line.split(' ')[1]), EPERM, `in the box: ${line}`);
  });

  test('socket families: only unix with network none, also IP with loopback; netlink and vsock never', async () => {
    const resolve = koffi.load('libseccomp.so.2').func('int seccomp_syscall_resolve_name(const char *name)');
    // AF_VSOCK reaches the hypervisor's host whatever the network namespace; AF_ALG is
    // the kernel crypto API; the "+hi" variants set bit 32, which the kernel ignores
    const families = [
      'unix=1',
      'inet=2',
      'inet6=10',
      'netlink=16',
      'packet=17',
      'bluetooth=31',
      'alg=38',
      'vsock=40',
      'xdp=44',
    ];
    const opened = async (network: 'none' | 'loopback') => {
      const r = await runProgram(sandbox(), 'socket-families.py', {
        argv: [String(resolve('socket')), ...families],
        network,
      });
      return new Set(
        text(r)
          .out.trim()
          .split('\n')
          .filter((l) => l.endsWith(' 0'))
          .map((l) => l.split(' ')[0]),
      );
    };
    assert.deepEqual(await opened('none'), new Set(['unix']));
    assert.deepEqual(await opened('loopback'), new Set(['unix', 'inet', 'inet6']));
  });

  test('a program cannot fake a verdict: SIGXCPU or exit(152) is a runtime error, not a time limit', async () => {
    const r1 = await sandbox().run({ argv: ['sh', '-c', 'kill -XCPU $$'], env: ENV });
    assert.equal(r1.status, 'RUNTIME_ERROR');
    assert.equal(r1.signal, 'SIGXCPU');
    const r2 = await sandbox().run({ argv: ['sh', '-c', 'exit 152'], env: ENV });
    assert.equal(r2.status, 'RUNTIME_ERROR');
  });

  test('fd exhaustion: EMFILE at the open-files limit', async () => {
    const r = await runProgram(sandbox(), 'open-files.py', { limits: { openFiles: 50 } });
    const [count, errno] = text(r).out.trim().split(' ').map(Number);
    assert.equal(errno, EMFILE);
    assert.ok(count !== undefined && count <= 50 && count >= 40, `opened ${count}`);
  });

  test('10 MB of stdin arrives whole', async () => {
    const input = Buffer.alloc(10 << 20);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7) & 0xff;
    const { createHash } = await import('node:crypto');
    const r = await runProgram(sandbox(), 'stdin-count.py', { stdin: input });
    assert.equal(text(r).out.trim(), `${input.length} ${createHash('sha256').update(input).digest('hex')}`);
  });

  test('non-UTF-8 output is kept byte for byte', async () => {
    const r = await runProgram(sandbox(), 'binary-output.sh');
    assert.deepEqual(r.stdout, Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x0a]));
    assert.deepEqual(r.stderr, Buffer.from('\x80bad\n', 'latin1'));
  });

  test('50 runs in parallel: no cross-talk; afterwards no cgroup, mount, work dir or process remains', async () => {
    await assertProbesSeeARun(sandbox()); // so that each "none remains" below can fail
    const runs = Array.from({ length: 50 }, (_, i) =>
      sandbox().run({
        argv: [
          'sh',
          '-c',
          `echo ${i} > /box/me; echo ${i} > /tmp/me; sleep 0.3; cat /box/me /tmp/me; ls /box; ls /tmp`,
        ],
        env: ENV,
        limits: { wallMs: 30_000 },
      }),
    );
    const results = await Promise.all(runs);
    await sandbox().idle();
    results.forEach((r, i) => {
      assert.equal(r.status, 'OK', text(r).err);
      assert.equal(text(r).out, `${i}\n${i}\nme\nme\n`);
    });
    assert.deepEqual(await boxGroupsLeft(`${CGROUP_PARENT}/${sandbox().instance}`), []);
    assert.deepEqual(mountsUnder(WORK_ROOT), []);
    assert.deepEqual(workDirsOf(sandbox().instance), []);
    assert.deepEqual(processesInUidRange(), []);
  });
});

describe('a box prepared while a hostile program runs', { skip: boxSkip() }, () => {
  const sandbox = useSandbox({ prestart: 1 });

  test('is out of its reach, and the run that takes it finds it as new', async () => {
    await sandbox().idle();
    const hostile = [
      'sleep 1', // the next box is prepared once this program has started
      'ls /proc | grep -c "^[0-9]"',
      'cat /proc/[0-9]*/status | grep "^Uid" | sort -u | wc -l',
      'kill -9 -1 2>/dev/null',
      'echo x > /tmp/mark; echo x > /dev/shm/mark; echo x > /box/mark; ipcmk -Q >/dev/null',
      'echo done',
    ].join('; ');
    let waitingDuring = new Set<string>();
    const a = await sandbox().run(
      { argv: ['sh', '-c', hostile], env: ENV },
      { onOutput: () => void (waitingDuring = waitingBoxes()) },
    );
    // its own sh, ls, grep, cat… under one uid; never another box's processes
    const [procs, uids] = text(a).out.split('\n').map(Number);
    assert.equal(text(a).out.trim().split('\n').at(-1), 'done', text(a).err);
    assert.ok(procs !== undefined && procs < 10, `processes it saw: ${procs}`);
    assert.equal(uids, 1, 'it saw one uid: its own');
    // the control: a box was waiting while it ran, and still waits, untouched
    assert.equal(waitingDuring.size, 1, 'a box was prepared while the program ran');
    await sandbox().idle();
    assert.deepEqual(waitingBoxes(), waitingDuring, 'the waiting box lived through kill -9 -1');
    let cgroup = '';
    let prestarted = false;
    const b = await sandbox().run(
      { argv: ['sh', '-c', 'ls -A /tmp /dev/shm /box; ipcs -q | grep -c 0x; echo done'], env: ENV },
      { onStart: (i) => void ({ cgroup, prestarted } = i) },
    );
    assert.ok(prestarted && waitingDuring.has(cgroup.split('/').slice(-2).join('/')), `took ${cgroup}`);
    assert.equal(text(b).out, '/box:\n\n/dev/shm:\n\n/tmp:\n0\ndone\n', text(b).err);
  });
});
