/**
 * `npm run soak`: thousands of jobs (SOAK_JOBS, default 5000) through the real stack, each
 * role a process of its own, a twentieth of them hostile (fork, thread and memory bombs,
 * output floods, cpu spins, daemons, disk fillers, signal storms). Then it counts what
 * is left: the API's and the worker's resident memory against their level after warm-up,
 * and cgroups, mounts, temp dirs, processes and Redis keys. It prints every figure and
 * exits 1 on a leak or a wrong result (2 on a bad SOAK_JOBS).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@codebox/jobs';
import type { JobView } from '@codebox/protocol';
import { CGROUP_PARENT, UID_BASE, WORK_ROOT } from '../support.js';
import { exited, startApiProcess, startWorkerProcess } from '../service/processes.js';
import type { ApiProcess, WorkerProcess } from '../service/processes.js';
import { startRedis } from '../service/stack.js';

const JOBS = Number(process.env.SOAK_JOBS ?? 5_000);
if (!Number.isInteger(JOBS) || JOBS < 100) {
  process.stderr.write(
    `soak: SOAK_JOBS=${JSON.stringify(process.env.SOAK_JOBS)}: must be a whole number, at least 100\n`,
  );
  process.exit(2);
}
const IN_FLIGHT = 6;
const WARM_UP = Math.min(1_000, Math.floor(JOBS / 5));
const SAMPLE_EVERY = Math.max(50, Math.floor(JOBS / 20));
const RESULT_TTL_S = 10;
/** JS heap a role may keep per job after warm-up, after a full GC (code compiled late, caches filling) */
const HEAP_BYTES_PER_JOB = 256;
const UIDS = { base: UID_BASE + 3_000, count: 64 };
const PROGRAMS = path.join(import.meta.dirname, '..', 'hostile', 'programs');

interface Kind {
  readonly name: string;
  readonly request: (i: number) => object;
  /** the one right result; hostile kinds only need to end as a job */
  readonly expect?: (i: number) => string;
}

const hostileLimits = { wallMs: 1_000, cpuMs: 500, memoryBytes: 64 << 20, pids: 32, outputBytes: 1 << 16 };
const hostile = (file: string): Kind => ({
  name: file,
  request: () => ({
    language: file.endsWith('.py') ? 'python' : 'bash',
    files: [{ content: fs.readFileSync(path.join(PROGRAMS, file), 'utf8') }],
    limits: hostileLimits,
  }),
});
const HOSTILE: Kind[] = [
  'fork-bomb.py',
  'thread-bomb.py',
  'memory-bomb.py',
  'endless-output.py',
  'cpu-spin.py',
  'daemon.sh',
  'fill-disk.py',
  'kill-all.sh',
].map(hostile);
const BASH: Kind = {
  name: 'bash echo',
  request: (i) => ({ language: 'bash', files: [{ content: `echo "job ${i}"` }] }),
  expect: (i) => `job ${i}\n`,
};
const PYTHON: Kind = {
  name: 'python',
  request: (i) => ({ language: 'python', files: [{ content: `print("job", ${i})` }] }),
  expect: (i) => `job ${i}\n`,
};
const STDIN: Kind = {
  name: 'bash stdin',
  request: (i) => ({ language: 'bash', files: [{ content: 'cat' }], stdin: `in ${i}\n` }),
  expect: (i) => `in ${i}\n`,
};

/** 5% hostile, 15% Python, 10% stdin, the rest trivial Bash */
function kindOf(i: number): Kind {
  if (i % 20 === 19) return HOSTILE[Math.floor(i / 20) % HOSTILE.length] as Kind;
  if (i % 20 >= 16) return PYTHON;
  if (i % 20 >= 14) return STDIN;
  return BASH;
}

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

const mb = (bytes: number) => `${(bytes / (1 << 20)).toFixed(1)} MB`;

/** node's flags for a role: test/soak/settle.mjs answers SIGUSR2 with its memory after a full GC */
const SETTLE_ARGS = ['--expose-gc', '--import', path.join(import.meta.dirname, 'settle.mjs')];

interface Settled {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
}

/** a role's memory once all its garbage is collected: what it keeps */
async function settled(pid: number, file: string): Promise<Settled> {
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Settled;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pid ${pid} wrote no memory figures to ${file} in 10 s`);
}

/** the processes running as a box uid: pid, uid, parent and command line */
function boxProcesses(): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid < UIDS.base || uid >= UIDS.base + UIDS.count) continue;
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      found.push(
        `pid ${entry} uid ${uid} ppid ${/^PPid:\s+(\d+)/m.exec(status)?.[1]} ${/^State:\s+(.*)$/m.exec(status)?.[1]} ${cmd}`,
      );
    } catch {
      // it ended meanwhile
    }
  }
  return found;
}

/** every cgroup under the parent, in every hierarchy, except the parent itself */
function cgroups(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      found.push(path.join(dir, e.name));
      walk(path.join(dir, e.name));
    }
  };
  for (const h of ['/sys/fs/cgroup', ...fs.readdirSync('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`)]) {
    const parent = path.join(h, CGROUP_PARENT);
    if (fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) walk(parent);
  }
  return found;
}

function mounts(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((m) => m.split(' ')[4]?.startsWith(WORK_ROOT));
}

/** the work root's entries, less the box /etc files every engine shares */
function workDirs(): string[] {
  return fs.existsSync(WORK_ROOT) ? fs.readdirSync(WORK_ROOT).filter((n) => n !== 'etc') : [];
}

function tmpEntries(): Set<string> {
  return new Set(['/tmp', '/var/tmp', '/dev/shm'].flatMap((d) => fs.readdirSync(d).map((n) => path.join(d, n))));
}

async function main(): Promise<number> {
  const tmpBefore = tmpEntries();
  const redis = await startRedis();
  const prefix = `cbsoak${process.pid}`;
  const ttl = { CODEBOX_RESULT_TTL_S: String(RESULT_TTL_S) };
  const slots = os.availableParallelism();
  const conn = connect(redis.url, 'codebox-soak');
  const failures: string[] = [];
  // what was started, for the finally: a failed start stops the rest
  const started: { api?: ApiProcess; worker?: WorkerProcess } = {};
  try {
    const memoryFile = {
      api: path.join(redis.dir, 'memory-api.json'),
      worker: path.join(redis.dir, 'memory-worker.json'),
    };
    const api = (started.api = await startApiProcess(
      redis.url,
      prefix,
      0,
      { CODEBOX_RATE_LIMIT: '0', CODEBOX_QUEUE_MAX: '100000', SOAK_MEMORY_FILE: memoryFile.api, ...ttl },
      SETTLE_ARGS,
    ));
    const worker = (started.worker = await startWorkerProcess(
      redis.url,
      prefix,
      UIDS.base,
      slots,
      { CODEBOX_UID_COUNT: String(UIDS.count), SOAK_MEMORY_FILE: memoryFile.worker, ...ttl },
      SETTLE_ARGS,
    ));
    const pids = { api: api.child.pid ?? 0, worker: worker.pid };
    const settleBoth = async () => ({
      api: await settled(pids.api, memoryFile.api),
      worker: await settled(pids.worker, memoryFile.worker),
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const idle = { api: rssBytes(api.child.pid ?? 0), worker: rssBytes(worker.pid) };
    console.log(
      `soak: ${JOBS} jobs, ${IN_FLIGHT} in flight, ${slots} worker slots; idle RSS api ${mb(idle.api)}, worker ${mb(idle.worker)}`,
    );

    const samples: { done: number; api: number; worker: number }[] = [];
    let warmSettled: Promise<{ api: Settled; worker: Settled }> | undefined;
    const verdicts = new Map<string, number>();
    let next = 0;
    let done = 0;
    const t0 = Date.now();
    const one = async (i: number): Promise<void> => {
      const kind = kindOf(i);
      const res = await fetch(`${api.url}/v1/jobs?wait=true`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(kind.request(i)),
      });
      const job = (await res.json()) as JobView;
      const verdict = `${kind.name}: ${job.status} ${job.result?.status ?? job.error?.code ?? ''}`;
      verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
      if (res.status !== 200 || job.status !== 'completed')
        failures.push(`job ${i} (${kind.name}): HTTP ${res.status}, ${JSON.stringify(job).slice(0, 300)}`);
      else if (kind.expect && job.result?.stdout !== kind.expect(i))
        failures.push(`job ${i} (${kind.name}): stdout ${JSON.stringify(job.result?.stdout)}`);
      if (++done % SAMPLE_EVERY === 0)
        samples.push({ done, api: rssBytes(api.child.pid ?? 0), worker: rssBytes(worker.pid) });
      if (done === WARM_UP) warmSettled = settleBoth();
    };
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < JOBS) await one(next++);
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    console.log(`soak: ${done} jobs in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(1)} jobs/s)`);
    for (const [v, n] of [...verdicts].sort()) console.log(`  ${String(n).padStart(5)}  ${v}`);

    // the sampled RSS rises and falls with the heap's collections: printed as the trend, while
    // a leak is judged on what each role keeps after a full GC, after warm-up and at the end
    console.log('soak: resident memory as sampled (after every', SAMPLE_EVERY, 'jobs):');
    for (const s of samples)
      console.log(
        `  ${String(s.done).padStart(6)} jobs  api ${mb(s.api).padStart(9)}  worker ${mb(s.worker).padStart(9)}`,
      );
    const warm = await warmSettled;
    const end = await settleBoth();
    const pct = (from: number, to: number) => `${to >= from ? '+' : ''}${((to / from - 1) * 100).toFixed(1)}%`;
    for (const role of ['api', 'worker'] as const) {
      const [w, e] = [warm?.[role], end[role]];
      if (!w) {
        failures.push(`${role}: no memory figures after warm-up`);
        continue;
      }
      console.log(
        `soak: ${role} after a full GC, warm-up (${WARM_UP} jobs) -> end: RSS ${mb(w.rss)} -> ${mb(e.rss)} ${pct(w.rss, e.rss)}; ` +
          `JS heap ${mb(w.heapUsed)} -> ${mb(e.heapUsed)} ${pct(w.heapUsed, e.heapUsed)}; ` +
          `external ${mb(w.external)} -> ${mb(e.external)}`,
      );
      if (e.rss > w.rss * 1.2) failures.push(`${role} kept ${pct(w.rss, e.rss)} more resident memory after warm-up`);
      // the heap is where a JS leak shows first, in bytes a job: a listener left per job was ~830
      // (a megabyte at least: a short soak's few jobs say little per job)
      const perJob = (e.heapUsed - w.heapUsed) / (JOBS - WARM_UP);
      if (e.heapUsed - w.heapUsed > Math.max(1 << 20, HEAP_BYTES_PER_JOB * (JOBS - WARM_UP)))
        failures.push(
          `${role} kept ${perJob.toFixed(0)} bytes of JS heap a job after warm-up (${mb(e.heapUsed - w.heapUsed)})`,
        );
    }
    await new Promise((r) => setTimeout(r, 2_000));
    const idleAfter = { api: rssBytes(api.child.pid ?? 0), worker: rssBytes(worker.pid) };
    console.log(
      `soak: idle RSS after: api ${mb(idleAfter.api)}, worker ${mb(idleAfter.worker)} (target: under 150 MB each)`,
    );
    // a live worker may keep prestarted spares: one box per limits key, no more
    console.log(
      `soak: while the worker is up and idle: ${boxProcesses().length} box processes, ${cgroups().length} cgroups, ${mounts().length} mounts under the work root`,
    );

    // the worker and API stop (SIGTERM, as a host would stop them): nothing of theirs may remain
    worker.child.kill('SIGTERM');
    api.child.kill('SIGTERM');
    await Promise.all([exited(worker.child), exited(api.child)]);
    // a box killed as its worker exits may take a moment to be reaped; gone is what counts
    for (let i = 0; i < 30 && boxProcesses().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const left = {
      processes: boxProcesses(),
      cgroups: cgroups(),
      mounts: mounts(),
      workDirs: workDirs(),
      // the work root itself is the engine's (its contents are workDirs); Redis's dir goes below
      tmp: [...tmpEntries()].filter(
        (e) => !tmpBefore.has(e) && e !== WORK_ROOT && !e.startsWith(path.dirname(redis.dir) + '/codebox-test-redis-'),
      ),
    };
    console.log(
      `soak: after the worker and API stopped: ${left.processes.length} box processes, ${left.cgroups.length} cgroups, ${left.mounts.length} mounts, ${left.workDirs.length} work dirs, ${left.tmp.length} new temp entries`,
    );
    for (const [what, list] of Object.entries(left)) {
      if (list.length > 0) failures.push(`leaked ${what}: ${list.slice(0, 5).join('; ')}`);
    }

    // every job's keys carry a TTL: past it, none is left
    const jobKeys = async () => (await conn.keys(`${prefix}:job:*`)).length;
    const untimed: string[] = [];
    // -1: no TTL; -2: gone since KEYS listed it (expired, as it should)
    for (const k of await conn.keys(`${prefix}:job:*`)) if ((await conn.ttl(k)) === -1) untimed.push(k);
    console.log(
      `soak: Redis: ${await jobKeys()} job keys, ${untimed.length} without a TTL; waiting out the ${RESULT_TTL_S} s result TTL`,
    );
    if (untimed.length > 0) failures.push(`Redis keys without a TTL: ${untimed.slice(0, 5).join(', ')}`);
    await new Promise((r) => setTimeout(r, (RESULT_TTL_S + 1) * 1_000));
    const remaining = await conn.keys(`${prefix}:*`);
    const jobsLeft = remaining.filter((k) => k.startsWith(`${prefix}:job:`) || /^.*:jobs:[0-9a-f-]{36}$/.test(k));
    console.log(
      `soak: Redis past the TTL: ${jobsLeft.length} job keys; ${remaining.length - jobsLeft.length} queue keys (${remaining
        .filter((k) => !jobsLeft.includes(k))
        .map((k) => k.slice(prefix.length + 1))
        .sort()
        .join(', ')}); used_memory ${/used_memory_human:(\S+)/.exec(await conn.info('memory'))?.[1]}`,
    );
    if (jobsLeft.length > 0) failures.push(`Redis keys past their TTL: ${jobsLeft.slice(0, 5).join(', ')}`);
  } finally {
    started.worker?.child.kill('SIGKILL');
    started.api?.child.kill('SIGKILL');
    await conn.quit();
    await redis.destroy();
  }
  for (const f of failures.slice(0, 20)) console.log(`FAIL ${f}`);
  console.log(`soak: ${failures.length === 0 ? 'no leaks, every result right' : `${failures.length} failures`}`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
