/**
 * npm run bench:sandbox — per-run time of a trivial program, on the host root and on the
 * image root (when built), five ways in one run:
 *   bare      spawn(cmd) from this Node process, no isolation (on the host)
 *   bwrap     spawn(bwrap ... cmd) with the engine's own flags (namespaces, mounts of the
 *             root, seccomp), as an unprivileged uid: what bwrap alone costs
 *   fresh     sandbox.run({argv: cmd}) with no box prepared (prestart 0): uid, cgroup,
 *             launcher, work dir, bwrap and the box init all on the run's path
 *   prepared  the same with a box prepared ahead (prestart 1), waiting when the run comes
 *   setup-    the prepared run less its setupMs (to the go): the program's part and the
 *   excluded  accounting after it, i.e. a run with bwrap's and the engine's setup excluded
 * The variants are interleaved run by run, so machine noise falls on all alike; after
 * each engine run the bench waits (untimed) for its cleanup and the pool's refill.
 *
 * Also the engine process's own cpu per run (process.cpuUsage from the run's call to the
 * end of its cleanup and refill; bwrap's and the box's cpu are not the engine's), and a
 * breakdown of it by step, each measured alone in a loop of its own: the launcher's
 * spawn (fork+exec from this large process, and its kill and reap), the cgroup work
 * (create with limits, move the launcher in, kill-all, remove), the work dir's mount
 * and unmount, the accounting reads (cpu at the go and at the end, the usage), and the
 * rest (the init channel, streams, timers: total less the steps).
 *
 * Prints medians and p95 per variant, and the ratios. A benchmark, not a test: the
 * figures move with whatever else runs on the machine.
 *
 * env: BENCH_RUNS (default 200), CODEBOX_CGROUP_PARENT (default codebox-bench),
 *      BENCH_UID_BASE (default 230000000: 16 uids from there), CODEBOX_IMAGE_ROOT
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// one copy of the engine (its sources): koffi types may be declared once per process
import { createSandbox, DEFAULT_LIMITS } from '../packages/sandbox/src/index.js';
import type { Sandbox } from '../packages/sandbox/src/index.js';
import { compileFilter } from '../packages/sandbox/src/native/seccomp.js';
import { syscallRules } from '../packages/sandbox/src/seccomp-policy.js';
import { bwrapOptions, launcherArgv } from '../packages/sandbox/src/plan/argv.js';
import { hostRoot, imageRoot } from '../packages/sandbox/src/plan/mounts.js';
import type { HostProbe } from '../packages/sandbox/src/plan/mounts.js';
import { writeBoxSys } from '../packages/sandbox/src/box-etc.js';
import { ensureBoxInit } from '../packages/sandbox/src/native/box-init.js';
import { LAUNCH_FDS, spawnLauncher } from '../packages/sandbox/src/launch.js';
import { newCgroupManager } from '../packages/sandbox/src/cgroup/new.js';
import { instanceName } from '../packages/sandbox/src/instance.js';
import { boxLimits } from '../packages/sandbox/src/box-open.js';
import { createWorkDir, removeWorkDir } from '../packages/sandbox/src/workdir.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const STEP_RUNS = Math.max(50, Math.floor(RUNS / 2));
const PARENT = process.env.CODEBOX_CGROUP_PARENT ?? 'codebox-bench';
const UID = Number(process.env.BENCH_UID_BASE ?? 230_000_000);
const IMAGE = process.env.CODEBOX_IMAGE_ROOT ?? '/var/lib/codebox/rootfs/bookworm';
const ENV = { PATH: '/usr/bin:/bin' };
const VARIANTS = ['bare', 'bwrap', 'fresh', 'prepared', 'setup-excluded'] as const;
type Variant = (typeof VARIANTS)[number];

function spawnWait(argv: string[], opts: { uid?: number; stdio?: ('ignore' | number)[] } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0] ?? '', argv.slice(1), {
      env: ENV,
      stdio: opts.stdio ?? 'ignore',
      ...(opts.uid ? { uid: opts.uid, gid: opts.uid } : {}),
    });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} exited ${code}`))));
  });
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p95: at(0.95) };
}

/** this process's cpu (user+system, all threads) in ms */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const probe: HostProbe = {
  kind: (p) => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return undefined;
    return st.isSymbolicLink()
      ? { type: 'symlink', target: fs.readlinkSync(p) }
      : { type: st.isDirectory() ? 'dir' : 'file' };
  },
  list: (d) => fs.readdirSync(d),
};

interface Root {
  readonly name: string;
  readonly rootfs: string | undefined;
}

interface Bench {
  readonly scratch: string;
  readonly etc: string;
  readonly work: string;
  readonly filter: string;
  readonly fresh: Sandbox;
  readonly prepared: Sandbox;
}

/** bwrap with the engine's flags, without the info handshake and the box init; the filter on fd 3 */
function plainBwrap(b: Bench, root: Root, cmd: string[]): string[] {
  const options = bwrapOptions({
    limits: DEFAULT_LIMITS,
    root: root.rootfs === undefined ? hostRoot(probe, b.etc) : imageRoot(probe, root.rootfs, b.etc),
    workDir: b.work,
    sysDir: b.etc,
    fds: LAUNCH_FDS,
  });
  const cut = options.indexOf('--info-fd');
  return [
    '/usr/bin/bwrap',
    ...options.slice(0, cut),
    '--clearenv',
    '--setenv',
    'PATH',
    ENV.PATH,
    '--seccomp',
    '3',
    '--',
    ...cmd,
  ];
}

async function engineRun(sb: Sandbox, root: Root, cmd: string[]) {
  const cpu0 = cpuMs();
  const s = performance.now();
  const r = await sb.run({ argv: cmd, env: ENV, ...(root.rootfs ? { rootfs: root.rootfs } : {}) });
  const ms = performance.now() - s;
  if (r.status !== 'OK') throw new Error(`engine run: ${r.status} ${r.stderr.toString()}`);
  await sb.idle(); // its cleanup, and the box prepared in its place
  return { ms, setupMs: r.setupMs, cpu: cpuMs() - cpu0 };
}

async function measure(b: Bench, root: Root, label: string, cmd: string[]): Promise<string[]> {
  const t: Record<Variant, number[]> = { bare: [], bwrap: [], fresh: [], prepared: [], 'setup-excluded': [] };
  const cpu: Record<'fresh' | 'prepared', number[]> = { fresh: [], prepared: [] };
  const bw = plainBwrap(b, root, cmd);
  for (let i = 0; i < RUNS + 5; i++) {
    let s = performance.now();
    await spawnWait(cmd);
    const bare = performance.now() - s;
    const fd = fs.openSync(b.filter, 'r');
    s = performance.now();
    await spawnWait(bw, { uid: UID, stdio: ['ignore', 'ignore', 'ignore', fd] });
    const bwrap = performance.now() - s;
    fs.closeSync(fd);
    const fresh = await engineRun(b.fresh, root, cmd);
    const prepared = await engineRun(b.prepared, root, cmd);
    if (i < 5) continue; // warm-up
    t.bare.push(bare);
    t.bwrap.push(bwrap);
    t.fresh.push(fresh.ms);
    t.prepared.push(prepared.ms);
    t['setup-excluded'].push(prepared.ms - prepared.setupMs);
    cpu.fresh.push(fresh.cpu);
    cpu.prepared.push(prepared.cpu);
  }
  const m = Object.fromEntries(VARIANTS.map((v) => [v, stats(t[v])])) as Record<Variant, ReturnType<typeof stats>>;
  const ratio = (a: Variant, c: Variant) => `${(m[a].median / m[c].median).toFixed(2)}×`;
  return [
    `${label} on the ${root.name} root`,
    ...VARIANTS.map(
      (v) =>
        `  ${v.padEnd(15)} median ${m[v].median.toFixed(2).padStart(6)} ms   p95 ${m[v].p95.toFixed(2).padStart(6)} ms`,
    ),
    `  fresh / bare ${ratio('fresh', 'bare')}   prepared / bare ${ratio('prepared', 'bare')}   bwrap / bare ${ratio('bwrap', 'bare')}   fresh − bwrap ${(m.fresh.median - m.bwrap.median).toFixed(2)} ms   prepared / fresh ${ratio('prepared', 'fresh')}`,
    `  engine process cpu per run: fresh median ${stats(cpu.fresh).median.toFixed(2)} ms, prepared median ${stats(cpu.prepared).median.toFixed(2)} ms (its refill included)`,
  ];
}

/** cpu of this process per call of `step`, median over STEP_RUNS */
async function cpuPer(step: () => Promise<void>): Promise<number> {
  const cpu: number[] = [];
  for (let i = 0; i < STEP_RUNS + 3; i++) {
    const c0 = cpuMs();
    await step();
    if (i >= 3) cpu.push(cpuMs() - c0);
  }
  return stats(cpu).median;
}

/** the engine's per-run steps, each alone: where the engine process's cpu goes */
async function breakdown(b: Bench): Promise<string[]> {
  const uid = UID + 15;
  const argv = launcherArgv('/usr/bin/prlimit', '/usr/bin/bwrap', DEFAULT_LIMITS, LAUNCH_FDS);
  const cgroups = await newCgroupManager({ parent: PARENT, instance: instanceName() });
  const limits = boxLimits(DEFAULT_LIMITS);
  let n = 0;
  // a launcher that waits for its options: spawned, then killed and reaped
  const spawnStep = async () => {
    const l = spawnLauncher({ argv, uid, gid: uid });
    await l.pid();
    await l.dispose();
  };
  const rows: [string, number][] = [['spawn (launcher fork+exec, kill, reap)', await cpuPer(spawnStep)]];
  // the same with the cgroup steps around it: the difference is the cgroup work
  const withCgroup = await cpuPer(async () => {
    const g = await cgroups.createBox(`s-${++n}`, limits);
    const l = spawnLauncher({ argv, uid, gid: uid });
    await g.addProcess(await l.pid());
    await l.dispose();
    await g.killAll();
    await g.destroy();
  });
  rows.push(['cgroup (create with limits, move in, kill-all, remove)', withCgroup - (rows[0]?.[1] ?? 0)]);
  rows.push([
    'mounts (work dir tmpfs: mount, chown, unmount, rmdir)',
    await cpuPer(async () => {
      removeWorkDir(createWorkDir(b.scratch, `w-${++n}`, uid, uid, DEFAULT_LIMITS.workDirBytes));
    }),
  ]);
  const g = await cgroups.createBox(`a-${++n}`, limits);
  rows.push([
    'accounting (cpu at the go and at the end, usage)',
    await cpuPer(async () => {
      await g.cpuNs();
      await g.cpuNs();
      await g.usage();
    }),
  ]);
  await g.destroy();
  await cgroups.close();
  return rows.map(([name, ms]) => `  ${name.padEnd(56)} ${ms.toFixed(2).padStart(5)} ms`);
}

/** clock ticks of cpu (user+system) of the processes whose real uid is in [base, base+count) */
function boxTicks(base: number, count: number): { procs: number; ticks: number } {
  let procs = 0;
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (uid < base || uid >= base + count) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
      procs++;
    } catch {
      // gone meanwhile
    }
  }
  return { procs, ticks };
}

/** what boxes waiting for their runs cost while nothing runs: the engine's cpu and theirs */
async function idleCost(sb: Sandbox, ms: number): Promise<string> {
  await sb.idle();
  const before = boxTicks(sb.uids.base, sb.uids.count);
  const c0 = cpuMs();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const engine = cpuMs() - c0;
  const after = boxTicks(sb.uids.base, sb.uids.count);
  return `idle pool (${after.procs} processes of waiting boxes) over ${ms / 1000} s: engine process ${engine.toFixed(2)} ms cpu, the boxes ${((after.ticks - before.ticks) * 10).toFixed(0)} ms cpu`;
}

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-bench-'));
  fs.chmodSync(scratch, 0o755);
  const etc = path.join(scratch, 'etc');
  fs.mkdirSync(etc, { mode: 0o755 });
  writeBoxSys(etc, ensureBoxInit());
  const work = path.join(scratch, 'box');
  fs.mkdirSync(work);
  fs.chownSync(work, UID, UID);
  const filter = path.join(scratch, 'filter.bpf');
  fs.writeFileSync(filter, compileFilter(syscallRules('none')));
  const roots: Root[] = [
    { name: 'host', rootfs: undefined },
    ...(fs.existsSync(`${IMAGE}/usr/bin/python3`) ? [{ name: 'image', rootfs: IMAGE }] : []),
  ];
  const open = (prestart: number, uidBase: number) =>
    createSandbox({
      cgroupParent: PARENT,
      workRoot: path.join(scratch, `run-${prestart}`),
      uidBase,
      uidCount: 4,
      prestart,
      prestartRootfs: roots.at(-1)?.rootfs,
    });
  const b: Bench = { scratch, etc, work, filter, fresh: await open(0, UID + 1), prepared: await open(1, UID + 5) };
  const commands: [string, string[]][] = [
    ['/bin/true', ['/bin/true']],
    ['python3 -c pass', ['/usr/bin/python3', '-c', 'pass']],
  ];
  const rows: string[] = [];
  const log = (line: string) => {
    rows.push(line);
    console.log(line);
  };
  log(
    `codebox bench:sandbox — ${new Date().toISOString().slice(0, 10)}, ${RUNS} runs per variant, interleaved; cgroup v${b.fresh.cgroupVersion}; ${os.cpus().length} cpus; node ${process.version}; load average ${os.loadavg()[0]?.toFixed(2)}`,
  );
  try {
    for (const root of roots)
      for (const [label, cmd] of commands) for (const l of await measure(b, root, label, cmd)) log(l);
    log(await idleCost(b.prepared, 5_000));
    log(`engine process cpu by step (each alone, median of ${STEP_RUNS}):`);
    for (const l of await breakdown(b)) log(l);
  } finally {
    await b.fresh.close();
    await b.prepared.close();
    fs.rmSync(scratch, { recursive: true, force: true });
    for (const dir of ['', ...fs.readdirSync('/sys/fs/cgroup')]) {
      try {
        fs.rmdirSync(path.join('/sys/fs/cgroup', dir, PARENT));
      } catch {
        // not in this hierarchy, or another engine's groups are still in it
      }
    }
  }
}

await main();
