/**
 * Shared by the box tests: a real sandbox under the cgroup parent CI and developers set
 * (CODEBOX_CGROUP_PARENT, default codebox-test at the top of each hierarchy), and the
 * reason to skip where this machine cannot run boxes — or, with CODEBOX_REQUIRE_BOX=1
 * (CI), the failure that says so instead.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_DATA_DIR } from '@codebox/config';
import { imageDir } from '@codebox/runtimes';
import { createSandbox } from '@codebox/sandbox';
import type { RunHooks, RunResult, RunSpec, Sandbox, SandboxConfig } from '@codebox/sandbox';

export const CGROUP_PARENT = process.env.CODEBOX_CGROUP_PARENT ?? 'codebox-test';
export const WORK_ROOT = process.env.CODEBOX_WORK_ROOT ?? '/tmp/codebox-test-run';
/**
 * One range for the whole run (test files run one at a time); CODEBOX_TEST_UID_BASE moves
 * it, so that two test runs on one host never hand a box a uid the other is using.
 */
export const UID_BASE = Number(process.env.CODEBOX_TEST_UID_BASE ?? 210_000_000);

/** CODEBOX_TEST_PRESTART=0 runs every box through a launcher spawned for it (no spares) */
export const TEST_CONFIG: SandboxConfig = {
  cgroupParent: CGROUP_PARENT,
  workRoot: WORK_ROOT,
  uidBase: UID_BASE,
  uidCount: 64,
  prestart: Number(process.env.CODEBOX_TEST_PRESTART ?? 1),
};

export const ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };

/**
 * CI sets CODEBOX_REQUIRE_BOX=1: there a box test that cannot run on the machine fails,
 * naming what is missing, instead of skipping. A CI machine that lost root, bubblewrap or
 * python3 would otherwise pass every box, hostile, cgroup, CLI, runtime and service test
 * by skipping it. Like CODEBOX_REQUIRE_SERVICE (redis-server), CODEBOX_REQUIRE_RUNTIMES
 * (a language's toolchain), CODEBOX_REQUIRE_IMAGE (the image root) and CODEBOX_REQUIRE_V2
 * (the cgroup-v2 guest), which stay as they are.
 */
export const REQUIRE_BOX = process.env.CODEBOX_REQUIRE_BOX === '1';

/** what some box tests need of the host beyond root and bubblewrap */
export type HostPart = 'python3';

/** why boxes (with these host parts) cannot run on this machine, or false */
export function boxProblem(...parts: HostPart[]): string | false {
  if (process.getuid?.() !== 0) return 'needs root: boxes need cgroups and mounts';
  if (!fs.existsSync('/usr/bin/bwrap')) return 'needs bubblewrap (apt-get install bubblewrap)';
  if (parts.includes('python3') && !hasPython())
    return 'needs python3 in the host root, /usr/bin/python3 (apt-get install python3)';
  return false;
}

/**
 * The `skip` option of a box-needing suite: false when it can run here, else why not
 * (node:test prints it). With CODEBOX_REQUIRE_BOX=1 it is false either way: the suite
 * runs (and fails where it cannot), and a test named for the reason fails first, so the
 * report says why rather than only how.
 */
export function boxSkip(...parts: HostPart[]): string | false {
  const problem = boxProblem(...parts);
  if (!problem) return false;
  if (!REQUIRE_BOX) return problem;
  requiredButMissing(problem);
  return false;
}

const failedFor = new Set<string>();
/** one failing test per reason and test file (node --test runs each file in a process of its own) */
function requiredButMissing(problem: string): void {
  if (failedFor.has(problem)) return;
  failedFor.add(problem);
  test(`CODEBOX_REQUIRE_BOX=1: box tests must run here (${problem})`, () => {
    assert.fail(`CODEBOX_REQUIRE_BOX=1, but this machine cannot run box tests: ${problem}`);
  });
}

export function hasPython(): boolean {
  return fs.existsSync('/usr/bin/python3');
}

/**
 * CODEBOX_TEST_ROOTFS=<dir> (the image root, say) runs the box tests on that root: a
 * sandbox from openSandbox or useSandbox gives it to every run and session that names no
 * root of its own, and prepares its boxes on it, as a worker does with its default root.
 */
export const TEST_ROOTFS = process.env.CODEBOX_TEST_ROOTFS || undefined;

/** the image root (npm run rootfs, under CODEBOX_DATA_DIR as it builds it), where a test compares it with the host's */
export const IMAGE_ROOT = process.env.CODEBOX_IMAGE_ROOT ?? imageDir(process.env.CODEBOX_DATA_DIR ?? DEFAULT_DATA_DIR);

export async function openSandbox(extra: SandboxConfig = {}): Promise<Sandbox> {
  const sb = await createSandbox({ ...TEST_CONFIG, prestartRootfs: TEST_ROOTFS, ...extra });
  return TEST_ROOTFS === undefined ? sb : onRoot(sb, TEST_ROOTFS);
}

function onRoot(sb: Sandbox, rootfs: string): Sandbox {
  return {
    cgroupVersion: sb.cgroupVersion,
    instance: sb.instance,
    uids: sb.uids,
    run: (spec, hooks) => sb.run('rootfs' in spec ? spec : { ...spec, rootfs }, hooks),
    openSession: (spec = {}) => sb.openSession('rootfs' in spec ? spec : { ...spec, rootfs }),
    idle: () => sb.idle(),
    close: () => sb.close(),
  };
}

/**
 * One sandbox for a describe block: opened before its tests, closed after. Call inside
 * describe(); the returned function gives the sandbox to each test.
 */
export function useSandbox(extra: SandboxConfig = {}): () => Sandbox {
  let sb: Sandbox | undefined;
  before(async () => {
    sb = await openSandbox(extra);
  });
  after(async () => {
    await sb?.close();
  });
  return () => {
    if (!sb) throw new Error('sandbox not open: useSandbox() must be called inside describe()');
    return sb;
  };
}

export const PROGRAMS = path.join(import.meta.dirname, 'hostile', 'programs');

/** Runs one of test/hostile/programs in a box: placed in /box and started by its interpreter. */
export async function runProgram(
  sb: Sandbox,
  name: string,
  spec: Partial<RunSpec> = {},
  hooks: RunHooks = {},
): Promise<RunResult> {
  const content = fs.readFileSync(path.join(PROGRAMS, name));
  const interpreter = name.endsWith('.py') ? ['python3', '-S'] : ['sh'];
  const { argv = [], files = [], ...rest } = spec;
  return sb.run(
    {
      env: ENV,
      ...rest,
      argv: [...interpreter, `/box/${name}`, ...argv],
      files: [{ path: name, content }, ...files],
    },
    hooks,
  );
}

export function text(r: RunResult): { out: string; err: string } {
  return { out: r.stdout.toString(), err: r.stderr.toString() };
}

/**
 * Host processes whose real uid is one of the box uids: after a run there must be none,
 * but for prepared boxes, which wait for a run (isWaitingLauncher).
 */
export function processesInUidRange(base = UID_BASE, count = 64): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid < base || uid >= base + count) continue;
      if (!isPreparedBox(pid)) found.push(`${pid}:${/^Name:\s+(.*)$/m.exec(status)?.[1]}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** read(2)'s number, which a prepared box's init waits in: x86_64's, else aarch64's */
const SYS_READ = process.arch === 'x64' ? 0 : 63;

/**
 * A process of a prepared box (prepared.ts), set up and waiting for a run: the box's
 * group holds bwrap (the launcher, and the box's pid 1) and the box init, which is still
 * /run/codebox/init and blocked in read(2) on its control socket. A run's box has exec'd
 * its program; a session's init waits in poll(2), never in read(2).
 */
export function isWaitingLauncher(pid: string | number): boolean {
  return boxState(pid) === 'waiting';
}

/**
 * A process of a prepared box, waiting (as above) or settling: its init has said hello
 * and is on its way into read(2), or was preempted there (the probe of a box that never
 * gets there is boxGroupsLeft's, which gives it a second)
 */
function isPreparedBox(pid: string | number): boolean {
  return boxState(pid) !== 'other';
}

/**
 * waiting: a prepared box (as above); settling: one whose init, still the box init (it
 * has not exec'd a program), is not blocked in read(2) yet; other: anything else
 */
function boxState(pid: string | number): 'waiting' | 'settling' | 'other' {
  const group = cgroupOf(pid);
  if (!group) return 'other';
  let procs: string[];
  try {
    procs = fs.readFileSync(path.join(group, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return 'other';
  }
  let inits = 0;
  let running = false;
  for (const p of procs) {
    const cmdline = readOr(`/proc/${p}/cmdline`);
    if (cmdline.startsWith('/run/codebox/init\u0000')) {
      const call = readOr(`/proc/${p}/syscall`).split(' ')[0];
      // 'running' on a cpu, -1 preempted in user space, another number in another call
      if (Number(call) !== SYS_READ) running = true;
      inits++;
    } else if (!cmdline.includes('bwrap\u0000--args\u00005\u0000')) return 'other';
  }
  if (inits !== 1) return 'other';
  return running ? 'settling' : 'waiting';
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** a process's group in the pids hierarchy (v1) or the unified one (v2) */
function cgroupOf(pid: string | number): string | undefined {
  for (const line of readOr(`/proc/${pid}/cgroup`).split('\n')) {
    const [, controllers, rel] = line.split(':');
    if (controllers === 'pids') return path.join('/sys/fs/cgroup/pids', rel ?? '');
    if (controllers === '' && !fs.existsSync('/sys/fs/cgroup/pids')) return path.join('/sys/fs/cgroup', rel ?? '');
  }
  return undefined;
}

/**
 * Box groups below an instance group, in every hierarchy, that belong to no prepared box
 * waiting for its run: after the runs are over (sandbox.idle()) there must be none.
 */
export function leftoverBoxGroups(rel: string): string[] {
  const out: string[] = [];
  for (const h of ['', ...fs.readdirSync('/sys/fs/cgroup')]) {
    const dir = path.join('/sys/fs/cgroup', h, rel);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (!fs.existsSync(path.join(dir, e.name))) continue; // removed since the listing
      const procs = procsOf(path.join(dir, e.name));
      const spare = procs.length > 0 && isWaitingLauncher(procs[0] ?? '');
      if (!spare) out.push(path.join(dir, e.name));
    }
  }
  return out;
}

/** the pids in a cgroup; none once it is gone */
function procsOf(group: string): string[] {
  try {
    return fs.readFileSync(path.join(group, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * leftoverBoxGroups once the engine's spares have settled: a prepared box's init, having
 * said hello, may still be on its way into read(2). Such a group, or an empty one, is
 * given up to `ms` to become a waiting box or go; any other group with a process in it is
 * a leftover at once.
 */
export async function boxGroupsLeft(rel: string, ms = 1_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = leftoverBoxGroups(rel);
    const settling = left.every((g) => {
      const procs = procsOf(g);
      return procs.length === 0 || boxState(procs[0] ?? '') === 'settling';
    });
    if (left.length === 0 || !settling || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `instance/box` of every prepared box waiting for its run, under the test parent */
export function waitingBoxes(): Set<string> {
  const out = new Set<string>();
  for (const base of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup']) {
    const parent = path.join(base, CGROUP_PARENT);
    if (!fs.existsSync(parent)) continue;
    for (const instance of fs.readdirSync(parent).filter((n) => n.startsWith('i-'))) {
      for (const box of readdirOr(path.join(parent, instance)).filter((n) => n.startsWith('b-'))) {
        const procs = procsOf(path.join(parent, instance, box));
        if (procs.length > 0 && isWaitingLauncher(procs[0] ?? '')) out.add(`${instance}/${box}`);
      }
    }
    break;
  }
  return out;
}

function readdirOr(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * mounts below dir, but for each engine instance's own sys dir (the box init and /etc
 * files) and the work dirs of boxes prepared ahead of their runs
 */
export function mountsUnder(dir: string): string[] {
  const waiting = waitingBoxes();
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${path.resolve(dir)}/`) && !/\/i-[^/]+\/sys$/.test(m))
    .filter(
      (m) =>
        !waiting.has(
          m
            .split('/')
            .slice(-2)
            .join('/')
            .replace(/\.pts$/, ''),
        ),
    );
}

/**
 * the run work dirs an engine instance holds now (its sys dir is the instance's, and
 * prepared boxes wait for theirs)
 */
export function workDirsOf(instance: string): string[] {
  const waiting = waitingBoxes();
  return fs
    .readdirSync(path.join(WORK_ROOT, instance))
    .filter((name) => name !== 'sys' && !waiting.has(`${instance}/${name.replace(/\.pts$/, '')}`));
}

export function hostNamespace(kind: string): string {
  return fs.readlinkSync(`/proc/self/ns/${kind}`);
}

export function sh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
}

/** processes in a box's cgroup right now (v1 pids hierarchy, or v2), 0 once it is gone */
export function pidsCurrent(rel: string): number {
  for (const dir of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup']) {
    try {
      return Number(fs.readFileSync(path.join(dir, rel, 'pids.current'), 'utf8'));
    } catch {
      // not this layout, or gone
    }
  }
  return 0;
}

/** A root filesystem holding just these binaries and the libraries they link against. */
export function makeTinyRoot(binaries: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-rootfs-'));
  for (const bin of binaries) {
    const libs = execFileSync('ldd', [bin], { encoding: 'utf8' }).match(/\/\S+/g) ?? [];
    for (const file of [bin, ...libs]) {
      const dest = path.join(root, file);
      if (fs.existsSync(dest)) continue;
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.copyFileSync(fs.realpathSync(file), dest);
      fs.chmodSync(dest, 0o755);
    }
  }
  fs.chmodSync(root, 0o755);
  return root;
}

/**
 * The control for the leak probes above (processesInUidRange, leftoverBoxGroups,
 * mountsUnder, workDirsOf): while a box of `sb` runs, each of them sees it. A test that
 * asserts that one of them finds nothing after its runs calls this too, so that an empty
 * answer means "gone", not "this probe cannot see a box" (a path it does not look in, a
 * cgroup layout it does not read, a uid range that is not the engine's). The box is
 * aborted once seen; what it leaves is the caller's to find.
 */
export async function assertProbesSeeARun(sb: Sandbox, uids?: { base: number; count: number }): Promise<void> {
  const controller = new AbortController();
  let cgroup = '';
  let seen: { processes: string[]; groups: string[]; mounts: string[]; workDirs: string[] } | undefined;
  const r = await sb.run(
    { argv: ['sh', '-c', 'echo up; exec sleep 30'], env: ENV, limits: { wallMs: 20_000 } },
    {
      onStart: (i) => void (cgroup = i.cgroup),
      onOutput: () => {
        if (seen) return;
        // the box's program is running now: it has written its first line
        seen = {
          // called as the tests call it: with their defaults unless told otherwise
          processes: uids ? processesInUidRange(uids.base, uids.count) : processesInUidRange(),
          groups: leftoverBoxGroups(`${CGROUP_PARENT}/${sb.instance}`),
          mounts: mountsUnder(WORK_ROOT),
          workDirs: workDirsOf(sb.instance),
        };
        controller.abort();
      },
      signal: controller.signal,
    },
  );
  assert.equal(
    r.killedBy,
    'abort',
    `the control box ran until aborted: ${JSON.stringify({ ...r, stdout: text(r).out, stderr: text(r).err })}`,
  );
  assert.ok(seen, 'the control box wrote its line');
  // the program: still sh, or sleep once sh has exec'd it
  assert.ok(
    seen.processes.some((p) => /:(sh|sleep)$/.test(p)),
    `processesInUidRange sees the running box: ${seen.processes.join(' ')}`,
  );
  assert.ok(
    cgroup && seen.groups.some((g) => g.endsWith(`/${cgroup}`)),
    `leftoverBoxGroups sees its group ${cgroup}: ${seen.groups.join(' ')}`,
  );
  assert.ok(seen.mounts.length > 0, 'mountsUnder sees its work dir mount');
  assert.ok(seen.workDirs.length > 0, 'workDirsOf sees its work dir');
}
