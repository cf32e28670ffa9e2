/**
 * npm run bench:timing — can a judge rank people by codebox's cpu times? One fixed
 * cpu-bound C program, RUNS times each way, interleaved in blocks in one run:
 *   judge   through @codebox/judge on the host root: compiled in a box, each run a test
 *           in a fresh box, cpu time from the box's cgroup, wall time from its start
 *   bare    the same source compiled by the host's gcc with the same flags, run by a
 *           small fork/exec/wait4 runner: cpu from the kernel's rusage, wall around it
 * Prints median, p95 and coefficient of variation (stdev / mean) of cpu and wall for each,
 * and whether the judge's cpu CV is within TARGET times the bare one. A benchmark, not a
 * test: its figures go in docs/benchmarks.md, dated.
 *
 * env: BENCH_RUNS (default 50), BENCH_BLOCK (runs per block, default 10),
 * CODEBOX_CGROUP_PARENT (default codebox-bench), CODEBOX_WORK_ROOT, BENCH_JSON=1 (also a
 * JSON line of the figures)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { judge } from '@codebox/judge';
import { COMPILE_DEFAULTS, detectRuntimes, LANGUAGES } from '@codebox/runtimes';
import { createSandbox } from '@codebox/sandbox';

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const BLOCK = Number(process.env.BENCH_BLOCK ?? 10);
const PARENT = process.env.CODEBOX_CGROUP_PARENT ?? 'codebox-bench';
/** the target: the judge's cpu-time CV within this many times the bare one's */
export const TARGET = 1.5;

/** integer work only (no memory traffic to speak of): about a quarter of a second on a 2020s core */
const PROGRAM = `#include <stdio.h>
#include <stdint.h>
int main(void) {
    uint64_t x = 88172645463325252ULL, s = 0;
    for (long i = 0; i < 150000000L; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        s += x & 0xff;
    }
    printf("%llu\\n", (unsigned long long)s);
    return 0;
}
`;

/** fork, exec, wait4: the child's own cpu (user + sys) and the wall time around it, in µs */
const RUNNER = `#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    struct timespec a, b;
    struct rusage ru;
    int status;
    (void)argc;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execv(argv[1], argv + 1);
        _exit(127);
    }
    wait4(pid, &status, 0, &ru);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long cpu = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
    long wall = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
    printf("%ld %ld %d\\n", cpu, wall, status);
    return 0;
}
`;

interface Figures {
  median: number;
  p95: number;
  cv: number;
}

function figures(xs: readonly number[]): Figures {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (s.length - 1));
  return {
    median: s[Math.floor(s.length / 2)] ?? NaN,
    p95: s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] ?? NaN,
    cv: sd / mean,
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-bench-timing-'));
  const sandbox = await createSandbox({
    cgroupParent: PARENT,
    ...(process.env.CODEBOX_WORK_ROOT ? { workRoot: process.env.CODEBOX_WORK_ROOT } : {}),
    uidSearch: 63,
  });
  try {
    const c = (await detectRuntimes(sandbox, { name: 'host', path: undefined }, LANGUAGES)).found.find(
      (r) => r.id === 'c',
    );
    if (!c) throw new Error('the host root has no C compiler (gcc)');
    fs.writeFileSync(path.join(dir, 'spin.c'), PROGRAM);
    fs.writeFileSync(path.join(dir, 'runner.c'), RUNNER);
    // the bare program gets the compile command the runtime gives a box, run on the host
    const compile = c.compile?.({ limits: COMPILE_DEFAULTS, entry: 'spin.c', sources: ['spin.c'] }) ?? [];
    execFileSync(compile[0] ?? 'gcc', compile.slice(1), { cwd: dir });
    execFileSync('gcc', ['-O2', '-o', 'runner', 'runner.c'], { cwd: dir });
    const binary = path.join(dir, 'main');
    const expected = execFileSync(binary, { encoding: 'utf8' });

    const bare = { cpu: [] as number[], wall: [] as number[] };
    const boxed = { cpu: [] as number[], wall: [] as number[] };
    for (let done = 0; done < RUNS; done += BLOCK) {
      const n = Math.min(BLOCK, RUNS - done);
      for (let i = 0; i < n; i++) {
        const [cpu = NaN, wall = NaN, status = NaN] = execFileSync(path.join(dir, 'runner'), [binary], {
          encoding: 'utf8',
        })
          .trim()
          .split(' ')
          .map(Number);
        if (status !== 0) throw new Error(`the bare run ended ${status}`);
        bare.cpu.push(cpu / 1000);
        bare.wall.push(wall / 1000);
      }
      const r = await judge(
        sandbox,
        c,
        {
          files: [{ name: 'spin.c', content: PROGRAM }],
          tests: Array.from({ length: n }, () => ({ expectedOutput: expected })),
          checker: { type: 'exact' },
          limits: { cpuMs: 10_000, wallMs: 20_000 },
        },
        undefined,
      );
      if (r.verdict !== 'ACCEPTED') throw new Error(`the judge said ${r.verdict}`);
      for (const t of r.tests) {
        boxed.cpu.push(t.run.cpuMs);
        boxed.wall.push(t.run.wallMs);
      }
      if (process.stderr.isTTY) process.stderr.write(`${done + n}/${RUNS}\r`);
    }
    report(bare, boxed);
  } finally {
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(bare: { cpu: number[]; wall: number[] }, boxed: { cpu: number[]; wall: number[] }): void {
  const rows = [
    ['bare cpu', figures(bare.cpu)],
    ['judge cpu', figures(boxed.cpu)],
    ['bare wall', figures(bare.wall)],
    ['judge wall', figures(boxed.wall)],
  ] as const;
  const ms = (x: number) => x.toFixed(1).padStart(8);
  process.stdout.write(
    `\n${RUNS} runs each, interleaved in blocks of ${BLOCK}, on ${os.cpus()[0]?.model ?? 'this cpu'} (${os.availableParallelism()} cpus)\n`,
  );
  process.stdout.write(`${''.padEnd(11)}${'median ms'.padStart(10)}${'p95 ms'.padStart(10)}${'CV'.padStart(9)}\n`);
  for (const [name, f] of rows)
    process.stdout.write(`${name.padEnd(11)}${ms(f.median)}  ${ms(f.p95)}  ${(100 * f.cv).toFixed(2).padStart(6)}%\n`);
  const ratio = figures(boxed.cpu).cv / figures(bare.cpu).cv;
  process.stdout.write(
    `judge cpu CV / bare cpu CV: ${ratio.toFixed(2)} (target ≤ ${TARGET}: ${ratio <= TARGET ? 'met' : 'NOT met'})\n`,
  );
  if (process.env.BENCH_JSON === '1')
    process.stdout.write(`${JSON.stringify(Object.fromEntries(rows.map(([n, f]) => [n, f])))}\n`);
}

await main();
