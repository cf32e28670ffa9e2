/**
 * npm run load — the service under load, on loopback, in one run:
 *   engine         bash `echo hi` through runProgram, `slots` at once (no HTTP, no queue)
 *   bash max       the same job end to end, 4×slots requests in flight: the most it does
 *   bash half      paced at half that maximum: latency when not saturated
 *   hostile mix    at the same rate, every tenth job a fork bomb, a memory bomb or an
 *                  output flood: the trivial jobs' latency beside them
 *   python max     Python hello world, the same way
 *   python half
 * then the targets with the figures measured. What is compared is measured
 * interleaved (engine, bash max, engine; half, mix, half, mix), so a burst of noise from
 * the rest of the machine falls on both sides. A benchmark, not a test: a missed target
 * is reported, not failed; a stack that would not start or a trivial job with a wrong
 * answer exits 1. Each scenario runs at most 60 s.
 *
 * env: LOAD_DURATION_S (default 15), LOAD_ENGINE_S (default 10), LOAD_SLOTS (default: the
 * cores), CODEBOX_CGROUP_PARENT (default codebox-load), CODEBOX_WORK_ROOT (default
 * /tmp/codebox-load-run), CODEBOX_UID_BASE (default 240000000; the engine takes the
 * range after the worker's), LOAD_ROOTFS (default host: the root of both the engine and the
 * worker, as CODEBOX_ROOTFS names it; image is `npm run rootfs`'s, in CODEBOX_DATA_DIR)
 */
import fs from 'node:fs';
import os from 'node:os';
import { addCpu, cpuDelta, cpuSnapshot, perJob } from './cpu.js';
import type { CpuSnapshot } from './cpu.js';
import { drive, mergeLoads } from './drive.js';
import type { KindStats, LoadResult } from './drive.js';
import { chooseRoot } from '@codebox/runtimes';
import type { Root } from '@codebox/runtimes';
import { measureEngine } from './engine.js';
import { BASH_ECHO, HOSTILE, hostileMix, PYTHON_HELLO } from './jobs.js';
import type { JobKind } from './jobs.js';
import { outcomes, percentile, row, table, target, wrongCount } from './report.js';
import type { Row } from './report.js';
import { hostEnv, startProcessStack, WORKER_UID_COUNT } from './stack.js';
import type { ProcessStack } from './stack.js';

const DURATION_S = seconds('LOAD_DURATION_S', 15);
const ENGINE_S = seconds('LOAD_ENGINE_S', 10);
const SLOTS = slots();
const HOST = hostEnv();
const ROOT = root();

/** LOAD_ROOTFS, checked before anything starts */
function root(): Root {
  try {
    return chooseRoot(HOST.rootfs, HOST.dataDir);
  } catch (err) {
    process.stderr.write(`load: LOAD_ROOTFS=${JSON.stringify(HOST.rootfs)}: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

function slots(): number {
  const v = Number(process.env.LOAD_SLOTS || os.availableParallelism());
  if (!Number.isInteger(v) || v < 1 || v > 64) {
    process.stderr.write(
      `load: LOAD_SLOTS=${JSON.stringify(process.env.LOAD_SLOTS)}: must be a whole number from 1 to 64\n`,
    );
    process.exit(2);
  }
  return v;
}

/** a scenario stops by itself: at most 60 s, whatever the variable says */
function seconds(name: string, fallback: number): number {
  const v = Number(process.env[name] || fallback);
  if (!(v > 0)) {
    process.stderr.write(`load: ${name}=${JSON.stringify(process.env[name])}: must be a number of seconds above 0\n`);
    process.exit(2);
  }
  return Math.min(60, v);
}

/** answers, and the cpu each part of the machine spent meanwhile (cpu.ts) */
type Run = LoadResult & { cpu: CpuSnapshot };

interface EngineRun {
  ok: number;
  latenciesMs: number[];
  wrong: number;
  seconds: number;
  cpu: CpuSnapshot;
}

interface Measured {
  engine: EngineRun;
  bashMax: Run;
  bashHalf: Run;
  mix: Run;
  pythonMax: Run;
  pythonHalf: Run;
  bashRate: number;
  pythonRate: number;
}

async function main(): Promise<number> {
  console.log(header());
  let stack: ProcessStack;
  try {
    stack = await startProcessStack({ slots: SLOTS, languages: ['bash', 'python'] });
  } catch (err) {
    console.error(`the stack did not start: ${(err as Error).message}`);
    return 1;
  }
  try {
    console.log(
      `stack: api ${stack.url} (pid ${stack.apiPid}), worker pid ${stack.workerPid} (${stack.slots} slots), redis ${stack.redisUrl}`,
    );
    return print(await measure(stack));
  } catch (err) {
    console.error(`\nthe load run failed: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    await stack.stop();
  }
}

async function measure(stack: ProcessStack): Promise<Measured> {
  await warmUp(stack.url, [BASH_ECHO, PYTHON_HELLO, ...HOSTILE], stack.slots);
  const connections = 4 * stack.slots;
  const half = DURATION_S / 2;
  const e1 = await step(`engine: bash echo through runProgram, ${ENGINE_S / 2} s`, () =>
    engine(stack.slots, ENGINE_S / 2),
  );
  const bashMax = await scenario(stack, `bash max (${connections} in flight)`, DURATION_S, {
    cycle: [BASH_ECHO],
    connections,
  });
  const e2 = await step(`engine again, ${ENGINE_S / 2} s`, () => engine(stack.slots, ENGINE_S / 2));
  const bashRate = Math.max(1, Math.round(okRate(bashMax, BASH_ECHO) / 2));
  const paced = { cycle: [BASH_ECHO], ratePerS: bashRate };
  const mixed = { cycle: hostileMix(BASH_ECHO), ratePerS: bashRate };
  const h1 = await scenario(stack, `bash half (${bashRate}/s)`, half, paced);
  const m1 = await scenario(stack, `hostile mix (${bashRate}/s, 10% hostile)`, half, mixed);
  const h2 = await scenario(stack, `bash half again`, half, paced);
  const m2 = await scenario(stack, `hostile mix again`, half, mixed);
  const pythonMax = await scenario(stack, `python max (${connections} in flight)`, DURATION_S, {
    cycle: [PYTHON_HELLO],
    connections,
  });
  const pythonRate = Math.max(1, Math.round(okRate(pythonMax, PYTHON_HELLO) / 2));
  const pythonHalf = await scenario(stack, `python half (${pythonRate}/s)`, DURATION_S, {
    cycle: [PYTHON_HELLO],
    ratePerS: pythonRate,
  });
  return {
    engine: {
      ok: e1.ok + e2.ok,
      latenciesMs: [...e1.latenciesMs, ...e2.latenciesMs],
      wrong: e1.wrong + e2.wrong,
      seconds: e1.seconds + e2.seconds,
      cpu: addCpu(e1.cpu, e2.cpu),
    },
    bashMax,
    bashHalf: merge(h1, h2),
    mix: merge(m1, m2),
    pythonMax,
    pythonHalf,
    bashRate,
    pythonRate,
  };
}

/** the engine with the worker's settings, and the uid range after the worker's */
async function engine(slots: number, seconds: number): Promise<EngineRun> {
  let before: CpuSnapshot = {};
  const e = await measureEngine({
    ...HOST,
    uidBase: HOST.uidBase + WORKER_UID_COUNT,
    slots,
    durationMs: seconds * 1000,
    language: 'bash',
    source: 'echo hi',
    expectStdout: 'hi\n',
    onStart: () => (before = cpuSnapshot({}, HOST.cgroupParent)),
  });
  return { ...e, cpu: cpuDelta(before, cpuSnapshot({}, HOST.cgroupParent)) };
}

/** a few of each job first: page cache, the API's and the worker's JIT, Redis */
async function warmUp(url: string, kinds: readonly JobKind[], slots: number): Promise<void> {
  await step('warm-up', async () => {
    for (const kind of kinds) {
      await Promise.all(
        Array.from({ length: slots }, () =>
          fetch(`${url}/v1/jobs?wait=true`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: kind.body,
          }).then((r) => r.text()),
        ),
      );
    }
  });
}

async function scenario(
  stack: ProcessStack,
  name: string,
  seconds: number,
  shape: { cycle: JobKind[]; connections?: number; ratePerS?: number },
): Promise<Run> {
  const pids = { api: stack.apiPid, worker: stack.workerPid, redis: stack.redisPid };
  const before = cpuSnapshot(pids, HOST.cgroupParent);
  const result = await step(`${name}, ${seconds} s`, () => drive({ url: stack.url, durationS: seconds, ...shape }));
  const cpu = cpuDelta(before, cpuSnapshot(pids, HOST.cgroupParent));
  // jobs whose requests autocannon dropped at the end still run: the next scenario starts on an idle stack
  if (!(await stack.idle(60_000))) console.log('  (the queue did not drain in 60 s)');
  return { ...result, cpu };
}

function merge(a: Run, b: Run): Run {
  return { ...mergeLoads(a, b), cpu: addCpu(a.cpu, b.cpu) };
}

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  process.stdout.write(`${what} … `);
  const t0 = performance.now();
  const out = await fn();
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

function stats(r: LoadResult, kind: JobKind): KindStats {
  return r.byKind.get(kind.name) ?? { latenciesMs: [], outcomes: new Map() };
}

function okRate(r: LoadResult, kind: JobKind): number {
  return row('', stats(r, kind), r.seconds).jobsPerS;
}

/** Σ latency / time per kind: how many of each were queued or running at an average moment */
function inSystem(r: LoadResult): string {
  return [...r.byKind]
    .map(([name, s]) => `${name} ${(s.latenciesMs.reduce((a, b) => a + b, 0) / 1000 / r.seconds).toFixed(2)}`)
    .join(', ');
}

function answered(r: LoadResult): number {
  return [...r.byKind.values()].reduce((n, k) => n + k.latenciesMs.length, 0);
}

/** the table, the hostile verdicts, cpu per job, the targets; 1 when a trivial answer was wrong */
function print(m: Measured): number {
  const rows: Row[] = [
    row(
      'engine: bash echo (runProgram)',
      {
        latenciesMs: m.engine.latenciesMs,
        outcomes: new Map([
          ['ok', m.engine.ok],
          ['wrong', m.engine.wrong],
        ]),
      },
      m.engine.seconds,
    ),
    row('bash echo, max', stats(m.bashMax, BASH_ECHO), m.bashMax.seconds, m.bashMax.noAnswer),
    row(`bash echo, half (${m.bashRate}/s)`, stats(m.bashHalf, BASH_ECHO), m.bashHalf.seconds, m.bashHalf.noAnswer),
    row('mix: bash echo (90%)', stats(m.mix, BASH_ECHO), m.mix.seconds, m.mix.noAnswer),
    ...HOSTILE.map((h) => row(`mix: ${h.name}`, stats(m.mix, h), m.mix.seconds)),
    row('python hello, max', stats(m.pythonMax, PYTHON_HELLO), m.pythonMax.seconds, m.pythonMax.noAnswer),
    row(
      `python hello, half (${m.pythonRate}/s)`,
      stats(m.pythonHalf, PYTHON_HELLO),
      m.pythonHalf.seconds,
      m.pythonHalf.noAnswer,
    ),
  ];
  console.log(`\n${table(rows)}\n`);
  for (const h of HOSTILE) console.log(`  ${h.name}: ${outcomes(stats(m.mix, h))}`);
  console.log(`  jobs in the system on average in the mix (Little's law), of ${SLOTS} slots: ${inSystem(m.mix)}`);
  console.log("\ncpu per job, by part (boxes: the cgroup parent's accounting):");
  console.log(
    `  ${'engine'.padEnd(12)} ${perJob(m.engine.cpu, m.engine.ok + m.engine.wrong, { self: 'engine process' })}`,
  );
  const runs = [
    ['bash max', m.bashMax],
    ['bash half', m.bashHalf],
    ['hostile mix', m.mix],
    ['python max', m.pythonMax],
  ] as const;
  for (const [name, r] of runs)
    console.log(`  ${name.padEnd(12)} ${perJob(r.cpu, answered(r), { self: 'load generator' })}`);
  console.log(`\n${targets(m).join('\n')}`);
  const wrong = wrongAnswers(m);
  if (wrong.length > 0) console.log(`\ntrivial jobs with wrong answers:\n  ${wrong.join('\n  ')}`);
  return wrong.length > 0 ? 1 : 0;
}

function targets(m: Measured): string[] {
  const e2e = okRate(m.bashMax, BASH_ECHO) / (m.engine.ok / m.engine.seconds);
  const p = (r: LoadResult, k: JobKind, q: number) => percentile(stats(r, k).latenciesMs, q);
  const bashTail = p(m.bashHalf, BASH_ECHO, 0.99) / p(m.bashHalf, BASH_ECHO, 0.5);
  const pyTail = p(m.pythonHalf, PYTHON_HELLO, 0.99) / p(m.pythonHalf, PYTHON_HELLO, 0.5);
  const moved = p(m.mix, BASH_ECHO, 0.5) / p(m.bashHalf, BASH_ECHO, 0.5);
  // the service's own: every part but the load generator (this process)
  const { self: _generator, ...service } = m.bashMax.cpu;
  const serviceMs = Object.values(service).reduce((n, ms) => n + ms, 0) / Math.max(1, answered(m.bashMax));
  return [
    target('end-to-end / engine throughput, bash echo', e2e, e2e >= 0.85, '≥ 0.85'),
    target('p99 / p50 at half the maximum, bash echo', bashTail, bashTail <= 3, '≤ 3'),
    target('p99 / p50 at half the maximum, python hello', pyTail, pyTail <= 3, '≤ 3'),
    target('bash echo p50 with 10% hostile / without', moved, moved < 2, '< 2'),
    target('the service’s cpu per bash echo job at the maximum, ms', serviceMs, serviceMs <= 12, '≤ 12'),
  ];
}

function wrongAnswers(m: Measured): string[] {
  const runs: [string, LoadResult, JobKind][] = [
    ['bash max', m.bashMax, BASH_ECHO],
    ['bash half', m.bashHalf, BASH_ECHO],
    ['hostile mix', m.mix, BASH_ECHO],
    ['python max', m.pythonMax, PYTHON_HELLO],
    ['python half', m.pythonHalf, PYTHON_HELLO],
  ];
  const out = runs
    .filter(([, r, k]) => wrongCount(stats(r, k)) > 0)
    .map(([name, r, k]) => `${name}: ${outcomes(stats(r, k))}`);
  return m.engine.wrong > 0 ? [`engine: ${m.engine.wrong} wrong`, ...out] : out;
}

function header(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const v2 = !fs.existsSync('/sys/fs/cgroup/memory');
  return `codebox load — ${os.availableParallelism()} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, linux ${os.release()}, cgroup v${v2 ? 2 : 1}, node ${process.version}; the ${ROOT.name === 'host' ? 'host' : ROOT.name === 'image' ? `image (${ROOT.path})` : ROOT.name} root; scenarios of ${DURATION_S} s`;
}

process.exitCode = await main();
