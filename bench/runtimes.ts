/**
 * npm run bench:runtimes — per language, hello world two ways, interleaved in one run:
 *   bare      the runtime's own compile and run commands, spawned on the host in a temp
 *             dir on tmpfs with the same environment (a fresh Go cache each time, as a
 *             box has)
 *   codebox   runProgram on the host root: a compile box, its files read back, a run box
 * Prints medians of the compile step, the run step and the whole, and codebox/bare ratios.
 * Both use the host's toolchains and the same limits, so the difference is the boxes. The
 * boxes get every core (cpus = the machine's), as the bare runs do: with the default
 * share of one core, compilers that work in parallel (javac's JIT and GC threads, gcc
 * -pipe, tsc's background compiler) are slower for want of a core, not from isolation.
 * A benchmark, not a test.
 *
 * env: BENCH_RUNS (default 15; compiled languages take seconds each), BENCH_LANGS (a
 * comma-separated subset), CODEBOX_CGROUP_PARENT (default codebox-bench)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BASE_ENV,
  DEFAULT_PROGRAM_POLICY,
  detectRuntimes,
  LANGUAGES,
  prepare,
  runProgram,
  stepLimits,
} from '@codebox/runtimes';
import type { DetectedRuntime } from '@codebox/runtimes';
import { createSandbox } from '@codebox/sandbox';
import { PROGRAMS } from '../test/runtimes/programs.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ONLY = process.env.BENCH_LANGS?.split(',');
const PARENT = process.env.CODEBOX_CGROUP_PARENT ?? 'codebox-bench';
const CPUS = { cpus: Math.min(4, os.cpus().length) };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** spawn and wait, without blocking the event loop (the engine's spares refill meanwhile) */
function run(
  argv: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0] ?? '', argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout }));
  });
}

/** a box's /box and /tmp are tmpfs: so is the bare runs' directory, where there is one */
const BARE_ROOT = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

/** one bare compile+run in a fresh temp dir; returns [compileMs, runMs] */
async function bare(rt: DetectedRuntime, source: string): Promise<[number, number]> {
  const dir = fs.mkdtempSync(path.join(BARE_ROOT, 'codebox-bench-bare-'));
  try {
    const prepared = prepare(rt, [{ name: rt.sourceFile, content: source }]);
    for (const f of [...prepared.files, ...(rt.compileFiles ?? [])])
      fs.writeFileSync(path.join(dir, f.path), f.content);
    const compileLimits = stepLimits(CPUS, DEFAULT_PROGRAM_POLICY.compile, rt.floors?.compile);
    const runLimits = stepLimits(CPUS, DEFAULT_PROGRAM_POLICY.run, rt.floors?.run);
    const tmp = path.join(dir, '.tmp');
    fs.mkdirSync(tmp);
    const envFor = (limits: typeof runLimits) => {
      const extra = rt.env?.(limits) ?? {};
      // the box's /tmp is fresh for every step; so is this one
      const local = Object.fromEntries(
        Object.entries(extra).map(([k, v]) => [k, v.startsWith('/tmp/') ? path.join(tmp, v.slice(5)) : v]),
      );
      return { ...BASE_ENV, HOME: dir, TMPDIR: tmp, ...local };
    };
    const ctx = { entry: prepared.entry, sources: prepared.sources };
    let compileMs = 0;
    if (rt.compile) {
      const argv = rt.compile({ ...ctx, limits: compileLimits });
      const t = performance.now();
      const c = await run(argv, dir, envFor(compileLimits));
      compileMs = performance.now() - t;
      if (c.code !== 0) throw new Error(`${rt.id}: bare compile failed (${c.code})`);
    }
    const argv = rt.run({ ...ctx, limits: runLimits });
    const t = performance.now();
    const r = await run(argv, dir, envFor(runLimits));
    const runMs = performance.now() - t;
    if (r.stdout !== 'Hello, World!\n') throw new Error(`${rt.id}: bare run printed ${JSON.stringify(r.stdout)}`);
    return [compileMs, runMs];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const workRoot = '/tmp/codebox-bench-run';
  const sandbox = await createSandbox({ cgroupParent: PARENT, workRoot, uidBase: 230_000_000, uidCount: 32 });
  try {
    const { found, absent } = await detectRuntimes(sandbox, { name: 'host', path: undefined }, LANGUAGES);
    for (const [id, why] of Object.entries(absent)) console.log(`skipped ${id}: ${why}`);
    const rows: string[][] = [];
    for (const rt of found) {
      if (ONLY && !ONLY.includes(rt.id)) continue;
      const source = PROGRAMS[rt.id]?.hello ?? '';
      const b = { compile: [] as number[], run: [] as number[], total: [] as number[] };
      const c = { compile: [] as number[], run: [] as number[], total: [] as number[] };
      await bare(rt, source); // warm the page cache for both
      for (let i = 0; i < RUNS; i++) {
        const [bc, br] = await bare(rt, source);
        b.compile.push(bc);
        b.run.push(br);
        b.total.push(bc + br);
        const t0 = performance.now();
        let tRun = t0;
        const r = await runProgram(
          sandbox,
          rt,
          { files: [{ name: rt.sourceFile, content: source }], limits: CPUS, compileLimits: CPUS },
          undefined,
          {
            onStep: (step) => {
              if (step === 'run') tRun = performance.now();
            },
          },
        );
        const t1 = performance.now();
        if (r.status !== 'OK' || r.stdout.toString() !== 'Hello, World!\n')
          throw new Error(`${rt.id}: ${r.status} ${r.stderr.toString()}`);
        c.compile.push(rt.compile ? tRun - t0 : 0);
        c.run.push(t1 - tRun);
        c.total.push(t1 - t0);
      }
      const f = (x: number) => x.toFixed(1);
      const ratio = (x: number, y: number) => (y > 0 ? `${(x / y).toFixed(2)}x` : '-');
      const m = (xs: number[]) => median(xs);
      rows.push([
        rt.id,
        rt.version,
        rt.compile ? f(m(b.compile)) : '-',
        rt.compile ? f(m(c.compile)) : '-',
        rt.compile ? ratio(m(c.compile), m(b.compile)) : '-',
        f(m(b.run)),
        f(m(c.run)),
        ratio(m(c.run), m(b.run)),
        f(m(b.total)),
        f(m(c.total)),
        ratio(m(c.total), m(b.total)),
        `+${f(m(c.total) - m(b.total))}`,
      ]);
      process.stderr.write(`${rt.id} done\n`);
    }
    const head = [
      'language',
      'version',
      'compile bare',
      'compile codebox',
      'ratio',
      'run bare',
      'run codebox',
      'ratio',
      'total bare',
      'total codebox',
      'ratio',
      'added ms',
    ];
    const all = [head, ...rows];
    const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    console.log(
      `\nhello world, median ms of ${RUNS} runs each (${os.cpus().length} cores, cpus ${CPUS.cpus} for both, host root, interleaved)\n`,
    );
    for (const r of all) console.log(r.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  '));
  } finally {
    await sandbox.close();
    fs.rmSync(workRoot, { recursive: true, force: true });
  }
}

await main();
