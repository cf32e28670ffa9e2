import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../limits.js';
import { execFileSync } from 'node:child_process';
import { bwrapArgs, launcherArgv, rlimitArgs, trampoline, trampolineEnv } from './argv.js';
import { HOST_ETC, hostRoot, imageRoot } from './mounts.js';
import type { HostProbe } from './mounts.js';

const mergedUsr: HostProbe = {
  kind: (p) => {
    const links: Record<string, string> = { '/bin': 'usr/bin', '/lib': 'usr/lib', '/lib64': 'usr/lib64', '/sbin': 'usr/sbin' };
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
    src === '/usr' || HOST_ETC.some((e) => src === `/etc/${e}`) || src === '/etc/java-17-openjdk' || src.startsWith('/run/codebox/etc/');
  for (const s of steps) if (s.kind === 'ro-bind') assert.ok(allowed(s.src), s.src);
  assert.ok(steps.some((s) => s.dest === '/etc/java-17-openjdk'), "the JDK's configuration directory");
  assert.ok(!steps.some((s) => s.dest === '/etc/java-home' || s.dest.startsWith('/etc/shadow')));
  assert.ok(!HOST_ETC.some((e) => ['shadow', 'gshadow', 'passwd', 'group', 'sudoers'].includes(e)));
  const passwd = steps.find((s) => s.dest === '/etc/passwd');
  assert.deepEqual(passwd, { kind: 'ro-bind', src: '/run/codebox/etc/passwd', dest: '/etc/passwd' });
});

test('image root: every top-level entry but the ones the engine mounts itself', () => {
  const probe: HostProbe = {
    kind: (p) => (p === '/img/bin' ? { type: 'symlink', target: 'usr/bin' } : p === '/img/etc/passwd' ? { type: 'file' } : { type: 'dir' }),
    list: () => ['usr', 'bin', 'etc', 'proc', 'dev', 'sys', 'tmp', 'box', 'run', 'opt'],
  };
  const steps = imageRoot(probe, '/img', '/e');
  assert.deepEqual(steps.map((s) => s.dest), ['/bin', '/etc', '/opt', '/usr', '/etc/passwd']);
});

test('rlimits: cpu backstop in whole seconds above the cgroup limit, no core dumps', () => {
  const args = rlimitArgs({ ...DEFAULT_LIMITS, cpuMs: 1500, fileSizeBytes: 1024, openFiles: 32, stackBytes: 8 << 20 });
  assert.deepEqual(args, ['--cpu=3:4', '--fsize=1024', '--nofile=32', '--stack=8388608', '--core=0', '--memlock=0']);
});

test('bwrap: every namespace, no nested userns, read-only root, env from scratch, fds last', () => {
  const plan = {
    prlimitPath: '/usr/bin/prlimit',
    bwrapPath: '/usr/bin/bwrap',
    limits: DEFAULT_LIMITS,
    root: [{ kind: 'ro-bind' as const, src: '/usr', dest: '/usr' }],
    workDir: '/run/codebox/i-1-2/b-1',
    env: { PATH: '/usr/bin' },
    argv: ['python3', '-c', 'pass'],
    fds: { info: 3, block: 4, seccomp: 5 },
  };
  const args = bwrapArgs(plan);
  for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv']) {
    assert.ok(args.includes(flag), flag);
  }
  const at = (flag: string, value: string) => args.some((a, i) => a === flag && args[i + 1] === value);
  assert.ok(at('--remount-ro', '/'));
  assert.ok(at('--bind', plan.workDir));
  assert.ok(at('--uid', '65534'));
  assert.ok(at('--seccomp', '5'));
  assert.ok(!args.includes('--dev'), 'a hand-built /dev, not bwrap’s (which has tty and pts)');
  assert.deepEqual(args.slice(-4), ['--', 'python3', '-c', 'pass']);
  const full = launcherArgv(plan);
  assert.equal(full[0], '/usr/bin/prlimit');
  assert.equal(full[full.indexOf('--') + 1], '/usr/bin/bwrap');
});

test('the trampoline rebuilds any argv and environment exactly, in order, and runs it as execvp would', () => {
  const run = (argv: string[], env: Record<string, string>) =>
    execFileSync('/bin/sh', ['-c', trampoline(9), 'codebox'], { env: trampolineEnv(argv, env, '/box'), encoding: 'utf8' });
  const argv = ['printf', '%s|', 'a b', '$(touch /tmp/x)', '"q"', "'s'", '', '*', 'line\nbreak', '-n'];
  assert.equal(run(argv, { PATH: '/usr/bin:/bin' }), 'a b|$(touch /tmp/x)|"q"|\'s\'||*|line\nbreak|-n|');
  // names a shell sets or reads pass through untouched, in the program's order, PWD last
  const env = { PATH: '/usr/bin', Z: '1', i: 'mine', PPID: 'mine', IFS: 'x', OPTIND: 'o', A: 'a=b' };
  assert.equal(run(['env'], env), 'PATH=/usr/bin\nZ=1\ni=mine\nPPID=mine\nIFS=x\nOPTIND=o\nA=a=b\nPWD=/box\n');
  assert.equal(run(['env'], { PWD: '/elsewhere', B: '2' }), 'PWD=/box\nB=2\n');
});
