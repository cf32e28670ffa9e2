/**
 * npm run bench:sandbox — per-run time of a trivial program three ways, in one run:
 *   bare      spawn(cmd) from Node, no isolation
 *   bwrap     spawn(bwrap ... cmd) from Node with the engine's own flags (namespaces,
 *             mounts, seccomp), started as an unprivileged uid: what bwrap alone costs
 *   engine    sandbox.run({argv: cmd}): cgroup, work-dir tmpfs, rlimits, pid placement,
 *             accounting and cleanup on top of the same bwrap
 * The variants are interleaved run by run, so machine noise falls on all three alike.
 * Prints median and p95 per variant, and the ratios. A benchmark, not a test.
 *
 * env: BENCH_RUNS (default 200), CODEBOX_CGROUP_PARENT (default codebox-bench)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// one copy of the engine (its sources): koffi types may be declared once per process
import { createSandbox, DEFAULT_LIMITS } from '../packages/sandbox/src/index.js';
import { compileFilter } from '../packages/sandbox/src/native/seccomp.js';
import { syscallRules } from '../packages/sandbox/src/seccomp-policy.js';
import { bwrapOptions } from '../packages/sandbox/src/plan/argv.js';
import { hostRoot } from '../packages/sandbox/src/plan/mounts.js';
import { writeBoxSys } from '../packages/sandbox/src/box-etc.js';
import { ensureBoxInit } from '../packages/sandbox/src/native/box-init.js';
import { LAUNCH_FDS } from '../packages/sandbox/src/launch.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const PARENT = process.env.CODEBOX_CGROUP_PARENT ?? 'codebox-bench';
const UID = 230_000_000;
const ENV = { PATH: '/usr/bin:/bin' };

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
  const probe = {
    kind: (p: string) => {
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!st) return undefined;
      return st.isSymbolicLink()
        ? { type: 'symlink' as const, target: fs.readlinkSync(p) }
        : { type: st.isDirectory() ? ('dir' as const) : ('file' as const) };
    },
    list: (d: string) => fs.readdirSync(d),
  };
  const plainBwrap = (cmd: string[]) => {
    const options = bwrapOptions({
      limits: DEFAULT_LIMITS,
      root: hostRoot(probe, etc),
      workDir: work,
      sysDir: etc,
      fds: LAUNCH_FDS,
    });
    // the same flags without the info handshake and the box init; the filter read from fd 3
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
  };

  const sb = await createSandbox({
    cgroupParent: PARENT,
    workRoot: path.join(scratch, 'run'),
    uidBase: UID + 1,
    uidCount: 4,
  });
  const commands: [string, string[]][] = [
    ['/bin/true', ['/bin/true']],
    ['python3 -c pass', ['/usr/bin/python3', '-c', 'pass']],
  ];
  console.log(
    `codebox bench:sandbox — ${RUNS} runs per variant, interleaved; cgroup v${sb.cgroupVersion}; ${os.cpus().length} cpus; node ${process.version}`,
  );
  const rows: string[] = [];
  for (const [label, cmd] of commands) {
    const t: Record<'bare' | 'bwrap' | 'engine', number[]> = { bare: [], bwrap: [], engine: [] };
    const bw = plainBwrap(cmd);
    for (let i = 0; i < RUNS + 5; i++) {
      let s = performance.now();
      await spawnWait(cmd);
      const bare = performance.now() - s;
      const fd = fs.openSync(filter, 'r');
      s = performance.now();
      await spawnWait(bw, { uid: UID, stdio: ['ignore', 'ignore', 'ignore', fd] });
      const bwrap = performance.now() - s;
      fs.closeSync(fd);
      s = performance.now();
      const r = await sb.run({ argv: cmd, env: ENV });
      const engine = performance.now() - s;
      if (r.status !== 'OK') throw new Error(`engine run: ${r.status} ${r.stderr.toString()}`);
      if (i < 5) continue; // warm-up
      t.bare.push(bare);
      t.bwrap.push(bwrap);
      t.engine.push(engine);
    }
    const b = stats(t.bare),
      w = stats(t.bwrap),
      e = stats(t.engine);
    rows.push(
      `${label}`,
      `  bare    median ${b.median.toFixed(2)} ms   p95 ${b.p95.toFixed(2)} ms`,
      `  bwrap   median ${w.median.toFixed(2)} ms   p95 ${w.p95.toFixed(2)} ms`,
      `  engine  median ${e.median.toFixed(2)} ms   p95 ${e.p95.toFixed(2)} ms`,
      `  engine − bwrap: ${(e.median - w.median).toFixed(2)} ms (target ≤ 1 ms)   engine / bwrap ${(e.median / w.median).toFixed(2)}×   bwrap / bare ${(w.median / b.median).toFixed(2)}×   engine / bare ${(e.median / b.median).toFixed(2)}×`,
    );
  }
  await sb.close();
  fs.rmSync(scratch, { recursive: true, force: true });
  for (const dir of ['', ...fs.readdirSync('/sys/fs/cgroup')]) {
    try {
      fs.rmdirSync(path.join('/sys/fs/cgroup', dir, PARENT));
    } catch {
      // not in this hierarchy
    }
  }
  console.log(rows.join('\n'));
}

await main();
