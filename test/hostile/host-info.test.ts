/**
 * What a box can read about the host, and what it must not: the host kernel's command
 * line, host paths (the launcher's command line, the mount table), the engine's names
 * (its cgroup path), and — through inotify on the read-only root every box shares —
 * which files another box or the host opens. Each probe is run by the box, and each
 * assertion checks first that the probe ran.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { boxSkip, CGROUP_PARENT, ENV, text, useSandbox, WORK_ROOT } from '../support.js';

describe('what a box can read of the host', { skip: boxSkip('python3') }, () => {
  const sandbox = useSandbox();
  const read = async (file: string): Promise<string> => {
    const r = await sandbox().run({ argv: ['cat', file], env: ENV });
    assert.equal(r.status, 'OK', `${file}: ${text(r).err}`);
    return text(r).out;
  };

  test("not the host kernel's command line", async () => {
    const host = fs.readFileSync('/proc/cmdline', 'utf8').trim();
    assert.ok(host.length > 0, 'the host has a command line to hide');
    assert.equal(await read('/proc/cmdline'), '');
    // the control: the same reader prints a /proc file that has something in it
    assert.equal(await read('/proc/self/cmdline'), 'cat\0/proc/self/cmdline\0');
  });

  test("no host path on its pid 1's command line: bwrap reads its options from a pipe", async () => {
    const argv = (await read('/proc/1/cmdline')).split('\0').filter(Boolean);
    assert.deepEqual(argv, ['/usr/bin/bwrap', '--args', '5', '/run/codebox/init']);
  });

  test('no host path in its mount table, and no engine name in its cgroup path', async () => {
    const mountinfo = await read('/proc/self/mountinfo');
    assert.match(mountinfo, / \/box /, 'the probe read the mount table');
    for (const hostPath of [WORK_ROOT, process.cwd(), sandbox().instance]) {
      assert.ok(!mountinfo.includes(hostPath), `mountinfo shows ${hostPath}:\n${mountinfo}`);
    }
    // the work dir is the engine's mount: owned by chown, not by a uid= option on show
    assert.doesNotMatch(/^.* \/box .*$/m.exec(mountinfo)?.[0] ?? '', /uid=/);
    const cgroup = await read('/proc/self/cgroup');
    assert.match(cgroup, /^0::\/$/m, 'a cgroup namespace rooted at the box');
    assert.ok(!cgroup.includes(CGROUP_PARENT) && !cgroup.includes(sandbox().instance), cgroup);
  });

  test('no watch for what others open on the shared root; watches of its own files work', async () => {
    const probe = [
      'import ctypes, os, struct',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'fd = libc.inotify_init1(os.O_NONBLOCK)',
      'def watch(path, mask):',
      '    return "ok" if libc.inotify_add_watch(fd, path.encode(), mask) >= 0 else os.strerror(ctypes.get_errno())',
      'IN_ACCESS, IN_MODIFY, IN_CLOSE_NOWRITE, IN_OPEN, IN_CREATE = 0x1, 0x2, 0x10, 0x20, 0x100',
      'print("open", watch("/usr/bin", IN_OPEN))',
      'print("access", watch("/usr/lib", IN_ACCESS))',
      'print("close", watch("/usr/bin/env", IN_CLOSE_NOWRITE))',
      'print("own", watch("/box", IN_CREATE | IN_MODIFY))',
      'open("/box/new", "w").write("x")',
      'events = os.read(fd, 4096)',
      'print("event", struct.unpack_from("iIII", events)[1] & IN_CREATE != 0)',
    ].join('\n');
    const r = await sandbox().run({ argv: ['python3', '-S', '-c', probe], env: ENV });
    assert.equal(r.status, 'OK', text(r).err);
    assert.equal(
      text(r).out,
      'open Permission denied\naccess Permission denied\nclose Permission denied\nown ok\nevent True\n',
    );
  });

  test('core dumps: RLIMIT_CORE is one byte and stays so, whatever the program asks', async () => {
    const probe = [
      'import resource',
      'print(resource.getrlimit(resource.RLIMIT_CORE))',
      'resource.setrlimit(resource.RLIMIT_CORE, (0, 0))',
      'print(resource.getrlimit(resource.RLIMIT_CORE))',
      'try: resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))',
      'except OSError as e: print("raise", e.errno)',
      'print(resource.getrlimit(resource.RLIMIT_CORE))',
    ].join('\n');
    const r = await sandbox().run({ argv: ['python3', '-S', '-c', probe], env: ENV });
    assert.equal(text(r).out, '(1, 1)\n(1, 1)\n(1, 1)\n', text(r).err);
    const shell = await sandbox().run({
      argv: ['sh', '-c', 'ulimit -c 0 && echo lowered; grep "core file" /proc/self/limits'],
      env: ENV,
    });
    assert.match(text(shell).out, /^lowered\nMax core file size +1 +1 +bytes/);
  });
});
