import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../limits.js';
import { bwrapOptions, initRlimits, launcherArgv, programEnv, rlimitArgs } from './argv.js';
import { HOST_ETC, hostRoot, imageRoot } from './mounts.js';
import type { HostProbe } from './mounts.js';

const mergedUsr: HostProbe = {
  kind: (p) => {
    const links: Record<string, string> = {
      '/bin': 'usr/bin',
      '/lib': 'usr/lib',
      '/lib64': 'usr/lib64',
      '/sbin': 'usr/sbin',
    };
    if (links[p]) return { type: 'symlink', target: links[p] };
    if (['/etc/ld.so.cache', '/etc/localtime'].includes(p)) return { type: 'file' };
    if (['/etc/ssl', '/etc/alternatives', '/etc/java-17-openjdk', '/etc/shadow.d'].includes(p)) return { type: 'dir' };
    if (p === '/etc/java-home') return { type: 'file' };
    return undefined;
  },
  list: (dir) => (dir === '/etc' ? ['shadow', 'shadow.d', 'java-17-openjdk', 'java-home', 'ssl'] : []),
};

test('host root: /usr and its links, a few /etc entries, and the box user files; nothing else of the host', () => {
  const steps = hostRoot(mergedUsr, '/run/codebox/etc');
  assert.deepEqual(steps.map((s) => s.dest).slice(0, 5), ['/usr', '/bin', '/sbin', '/lib', '/lib64']);
  // everything bound from the host is /usr, an allow-listed /etc entry, or a generated file
  const allowed = (src: string) =>
    src === '/usr' ||
    HOST_ETC.some((e) => src === `/etc/${e}`) ||
    src === '/etc/java-17-openjdk' ||
    src.startsWith('/run/codebox/etc/');
  for (const s of steps) if (s.kind === 'ro-bind') assert.ok(allowed(s.src), s.src);
  assert.ok(
    steps.some((s) => s.dest === '/etc/java-17-openjdk'),
    "the JDK's configuration directory",
  );
  assert.ok(!steps.some((s) => s.dest === '/etc/java-home' || s.dest.startsWith('/etc/shadow')));
  assert.ok(!HOST_ETC.some((e) => ['shadow', 'gshadow', 'passwd', 'group', 'sudoers'].includes(e)));
  const passwd = steps.find((s) => s.dest === '/etc/passwd');
  assert.deepEqual(passwd, { kind: 'ro-bind', src: '/run/codebox/etc/passwd', dest: '/etc/passwd' });
});

test('image root: every top-level entry but the ones the engine mounts itself', () => {
  const probe: HostProbe = {
    kind: (p) =>
      p === '/img/bin'
        ? { type: 'symlink', target: 'usr/bin' }
        : p === '/img/etc/passwd'
          ? { type: 'file' }
          : { type: 'dir' },
    list: () => ['usr', 'bin', 'etc', 'proc', 'dev', 'sys', 'tmp', 'box', 'run', 'opt'],
  };
  const steps = imageRoot(probe, '/img', '/e');
  assert.deepEqual(
    steps.map((s) => s.dest),
    ['/bin', '/etc', '/opt', '/usr', '/etc/passwd'],
  );
});

test('rlimits: the launcher’s ceilings are the maxima, with no core and no locked memory; the init lowers to the run’s', () => {
  const args = rlimitArgs({
    ...DEFAULT_LIMITS,
    cpuMs: 60_000,
    fileSizeBytes: 1 << 30,
    openFiles: 4096,
    stackBytes: 1 << 30,
  });
  assert.deepEqual(args, [
    '--cpu=61:62',
    '--fsize=1073741824',
    '--nofile=4096',
    '--stack=1073741824',
    '--core=1',
    '--memlock=0',
    '--sigpending=4096',
  ]);
  const run = initRlimits({ ...DEFAULT_LIMITS, cpuMs: 1500, fileSizeBytes: 1024, openFiles: 32, stackBytes: 8 << 20 });
  assert.deepEqual(run, [
    { resource: 0, soft: 3, hard: 4 },
    { resource: 1, soft: 1024, hard: 1024 },
    { resource: 7, soft: 32, hard: 32 },
    { resource: 3, soft: 8 << 20, hard: 8 << 20 },
  ]);
});

test('bwrap: every namespace, no nested userns, read-only root, the box init, no host path on its command line', () => {
  const plan = {
    limits: DEFAULT_LIMITS,
    root: [{ kind: 'ro-bind' as const, src: '/usr', dest: '/usr' }],
    workDir: '/run/codebox/i-1-2/b-1',
    sysDir: '/run/codebox/i-1-2/sys',
    fds: { info: 3, seccomp: 4, args: 5 },
  };
  const args = bwrapOptions(plan);
  for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session']) {
    assert.ok(args.includes(flag), flag);
  }
  const at = (flag: string, value: string) => args.some((a, i) => a === flag && args[i + 1] === value);
  assert.ok(at('--remount-ro', '/'));
  assert.ok(at('--bind', plan.workDir));
  assert.ok(at('--uid', '65534'));
  assert.ok(at('--seccomp', '4'));
  assert.ok(at('--ro-bind', '/run/codebox/i-1-2/sys/codebox-init'), 'the box init from the sys dir');
  assert.ok(
    at('--ro-bind', '/run/codebox/i-1-2/sys/empty') && args.includes('/proc/cmdline'),
    "the host kernel's command line hidden",
  );
  assert.ok(!args.includes('--dev'), 'a hand-built /dev, not bwrap’s (which has tty and pts)');
  assert.ok(!args.includes('--'), 'no command: bwrap runs the box init given on its own command line');
  // what the box sees as its pid 1's command line: no host path, no limit, no option
  const launcher = launcherArgv('/usr/bin/prlimit', '/usr/bin/bwrap', DEFAULT_LIMITS, plan.fds);
  assert.equal(launcher[0], '/usr/bin/prlimit');
  assert.deepEqual(launcher.slice(launcher.indexOf('--') + 1), ['/usr/bin/bwrap', '--args', '5', '/run/codebox/init']);
});

test('the program’s environment: its own variables in order, PWD where it starts', () => {
  assert.deepEqual(programEnv({ PATH: '/usr/bin', Z: '1', A: 'a=b' }), ['PATH=/usr/bin', 'Z=1', 'A=a=b', 'PWD=/box']);
  assert.deepEqual(programEnv({ PWD: '/elsewhere', B: '2' }), ['PWD=/box', 'B=2']);
});

test('a session’s box: its own devpts at /dev/pts and /dev/tty; its launcher without the cpu-seconds backstop', () => {
  const plan = {
    limits: DEFAULT_LIMITS,
    root: [],
    workDir: '/w/i-1-2/b-1',
    sysDir: '/w/i-1-2/sys',
    fds: { info: 3, seccomp: 4, args: 5 },
  };
  const at = (args: string[], flag: string, src: string, dest: string) =>
    args.some((a, i) => a === flag && args[i + 1] === src && args[i + 2] === dest);
  const run = bwrapOptions(plan);
  const session = bwrapOptions({ ...plan, ptsDir: '/w/i-1-2/b-1.pts' });
  assert.ok(at(session, '--dev-bind', '/w/i-1-2/b-1.pts', '/dev/pts'));
  assert.ok(at(session, '--dev-bind', '/dev/tty', '/dev/tty'));
  assert.ok(!run.includes('/dev/pts') && !run.includes('/dev/tty'), 'a run’s box has neither');
  const ceilings = (kind: 'run' | 'session') =>
    launcherArgv('/usr/bin/prlimit', '/usr/bin/bwrap', DEFAULT_LIMITS, plan.fds, kind).filter((a) =>
      a.startsWith('--cpu='),
    );
  assert.deepEqual(ceilings('run'), ['--cpu=6:7']);
  assert.deepEqual(ceilings('session'), ['--cpu=unlimited']);
});

test('bwrap: binds go read-only over the work dir, after it is bound, before the root is made read-only', () => {
  const plan = {
    limits: DEFAULT_LIMITS,
    root: [],
    workDir: '/w/b-1',
    sysDir: '/w/sys',
    fds: { info: 3, seccomp: 4, args: 5 },
    binds: [{ src: '/cache/blobs/ab/abcd', path: 'tests/input.txt' }],
  };
  const args = bwrapOptions(plan);
  const bind = args.indexOf('/cache/blobs/ab/abcd');
  assert.deepEqual(args.slice(bind - 1, bind + 2), ['--ro-bind', '/cache/blobs/ab/abcd', '/box/tests/input.txt']);
  assert.ok(bind > args.indexOf('/w/b-1'), 'after the work dir is bound at /box');
  assert.ok(bind < args.lastIndexOf('--remount-ro'));
  assert.ok(!bwrapOptions({ ...plan, binds: [] }).includes('/cache/blobs/ab/abcd'));
});
