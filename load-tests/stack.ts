/**
 * The service as it is deployed, for load and soak runs: a private redis-server on a unix
 * socket in a temp dir (no persistence), one worker process (apps/worker/dist/main.js) and
 * one API process (apps/api/dist/main.js) on a free port of 127.0.0.1, with a fresh key
 * prefix. Processes, not in-process objects: what is measured includes each role's own
 * event loop and the hops between them. Build first (npx tsc -b): they run from dist.
 *
 * Everything started here is stopped by stop(), on SIGINT/SIGTERM (unless signals:
 * false), and killed on exit if still alive: by pid, and only these children. They run
 * in process groups of their own, so a Ctrl-C in the terminal reaches this process only
 * and the stop goes in order (the API and the worker before Redis).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect, createQueue } from '@codebox/jobs';
import { DEFAULT_DATA_DIR } from '@codebox/config';

const ROOT = path.join(import.meta.dirname, '..');

export interface StackOptions {
  /** the worker's CODEBOX_SLOTS; default: the number of cores */
  readonly slots?: number;
  /** languages /v1/runtimes must list before the stack counts as up; default bash */
  readonly languages?: readonly string[];
  /** added to both processes' environment, after the defaults (so it wins) */
  readonly env?: Readonly<Record<string, string>>;
  readonly workerEnv?: Readonly<Record<string, string>>;
  readonly apiEnv?: Readonly<Record<string, string>>;
  /** stop the stack and exit on SIGINT/SIGTERM; default true */
  readonly signals?: boolean;
  /** how long the worker (language detection) and the API get to be ready; default 60 s */
  readonly startTimeoutMs?: number;
}

export interface ProcessStack {
  /** the API, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly apiPid: number;
  readonly workerPid: number;
  readonly redisPid: number;
  /** unix:///…/redis.sock */
  readonly redisUrl: string;
  readonly prefix: string;
  readonly slots: number;
  /** the worker's and the API's structured logs (and redis-server's), one file each */
  readonly logDir: string;
  /** resolves once no job is waiting or running; false if that took longer than ms */
  idle(ms?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * The host settings the worker gets, from the caller's environment where set (so a
 * shared machine can give each run its own cgroup, work dir and uid range).
 */
export function hostEnv(env: NodeJS.ProcessEnv = process.env): {
  cgroupParent: string;
  workRoot: string;
  uidBase: number;
  /** the root both sides run on, as CODEBOX_ROOTFS names it: host, image or a directory */
  rootfs: string;
  /** where `image` is (npm run rootfs builds it there) */
  dataDir: string;
} {
  return {
    cgroupParent: env.CODEBOX_CGROUP_PARENT || 'codebox-load',
    workRoot: env.CODEBOX_WORK_ROOT || '/tmp/codebox-load-run',
    uidBase: Number(env.CODEBOX_UID_BASE || 240_000_000),
    rootfs: env.LOAD_ROOTFS || 'host',
    dataDir: env.CODEBOX_DATA_DIR || DEFAULT_DATA_DIR,
  };
}

/** the worker's uid range: the engine measured beside it takes the next one */
export const WORKER_UID_COUNT = 64;

export async function startProcessStack(options: StackOptions = {}): Promise<ProcessStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-load-'));
  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) kill(c.pid, 'SIGKILL');
  };
  process.once('exit', killAll);
  try {
    const redis = await startRedis(dir, children);
    const slots = options.slots ?? os.availableParallelism();
    const prefix = `cbload-${process.pid}-${Date.now().toString(36)}`;
    const port = await freePort();
    const common = commonEnv(redis.url, prefix);
    const worker = spawnRole(
      'worker',
      { ...common, ...workerEnv(slots), ...options.env, ...options.workerEnv },
      dir,
      children,
    );
    const api = spawnRole('api', { ...common, ...apiEnv(port), ...options.env, ...options.apiEnv }, dir, children);
    const url = `http://127.0.0.1:${port}`;
    await ready(url, options.languages ?? ['bash'], [worker, api], dir, options.startTimeoutMs ?? 60_000);
    return makeStack({
      url,
      api,
      worker,
      redis: redis.child,
      redisUrl: redis.url,
      prefix,
      slots,
      dir,
      killAll,
      signals: options.signals !== false,
    });
  } catch (err) {
    // the worker and the API first (started last), Redis last; their logs are in the error
    for (const c of [...children].reverse()) await terminate(c);
    process.removeListener('exit', killAll);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function commonEnv(redisUrl: string, prefix: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    REDIS_URL: redisUrl,
    CODEBOX_REDIS_PREFIX: prefix,
  };
}

function workerEnv(slots: number): Record<string, string> {
  const host = hostEnv();
  return {
    CODEBOX_CGROUP_PARENT: host.cgroupParent,
    CODEBOX_WORK_ROOT: host.workRoot,
    CODEBOX_UID_BASE: String(host.uidBase),
    CODEBOX_UID_COUNT: String(WORKER_UID_COUNT),
    // the root the engine measured beside the stack uses too
    CODEBOX_ROOTFS: host.rootfs,
    CODEBOX_DATA_DIR: host.dataDir,
    CODEBOX_SLOTS: String(slots),
    // a stop should not wait the default 30 s for jobs a load run abandoned
    CODEBOX_GRACE_MS: '2000',
    CODEBOX_WORKER_METRICS_PORT: '0',
  };
}

/** the API's limiters opened wide: they are not what a load run measures */
function apiEnv(port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    CODEBOX_RATE_LIMIT: '0',
    CODEBOX_QUEUE_MAX: '1000000',
    CODEBOX_MAX_STREAMS: '10000',
    CODEBOX_MAX_STREAMS_PER_KEY: '10000',
    CODEBOX_WAIT_MS: '60000',
  };
}

async function startRedis(dir: string, children: ChildProcess[]): Promise<{ url: string; child: ChildProcess }> {
  const socket = path.join(dir, 'redis.sock');
  const log = fs.openSync(path.join(dir, 'redis.log'), 'a');
  const child = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--appendonly',
      'no',
      '--save',
      '',
    ],
    { stdio: ['ignore', log, log], detached: true },
  );
  fs.closeSync(log);
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`redis-server: ${err.message} (apt-get install redis-server)`)));
    child.once('spawn', () => resolve());
  });
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`redis-server did not start: ${tail(path.join(dir, 'redis.log'))}`);
    await sleep(20);
  }
  return { url: `unix://${socket}`, child };
}

/** one role from dist, its stdout and stderr (pino lines) to <dir>/<role>.log */
function spawnRole(
  role: 'worker' | 'api',
  env: Record<string, string>,
  dir: string,
  children: ChildProcess[],
): ChildProcess {
  const main = path.join(ROOT, 'apps', role, 'dist', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b)`);
  const log = fs.openSync(path.join(dir, `${role}.log`), 'a');
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  children.push(child);
  return child;
}

/** /readyz answers 200 (Redis and a live worker) and /v1/runtimes lists every language */
async function ready(
  url: string,
  languages: readonly string[],
  roles: ChildProcess[],
  dir: string,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  let last = 'no answer yet';
  for (;;) {
    const dead = roles.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead)
      throw new Error(
        `a codebox process exited (${dead.exitCode ?? dead.signalCode}) while starting:\n${tail(path.join(dir, 'worker.log'))}\n${tail(path.join(dir, 'api.log'))}`,
      );
    if (Date.now() > deadline)
      throw new Error(`the stack was not ready in ${ms} ms: ${last}\n${tail(path.join(dir, 'worker.log'))}`);
    last = await readiness(url, languages).catch((err: Error) => err.message);
    if (last === 'ready') return;
    await sleep(200);
  }
}

async function readiness(url: string, languages: readonly string[]): Promise<string> {
  const r = await fetch(`${url}/readyz`);
  if (r.status !== 200) return `readyz ${r.status}: ${await r.text()}`;
  const { runtimes } = (await (await fetch(`${url}/v1/runtimes`)).json()) as { runtimes: { id: string }[] };
  const missing = languages.filter((l) => !runtimes.some((rt) => rt.id === l));
  return missing.length === 0 ? 'ready' : `the worker has no ${missing.join(', ')}`;
}

interface Parts {
  url: string;
  api: ChildProcess;
  worker: ChildProcess;
  redis: ChildProcess;
  redisUrl: string;
  prefix: string;
  slots: number;
  dir: string;
  killAll: () => void;
  signals: boolean;
}

function makeStack(p: Parts): ProcessStack {
  let stopping: Promise<void> | undefined;
  let removeSignals = (): void => undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // the API and the worker first, so neither sees Redis vanish under it
      await Promise.all([terminate(p.api), terminate(p.worker)]);
      await terminate(p.redis);
      process.removeListener('exit', p.killAll);
      removeSignals();
      fs.rmSync(p.dir, { recursive: true, force: true });
    })());
  if (p.signals) removeSignals = onSignals(stop);
  return {
    url: p.url,
    apiPid: p.api.pid ?? 0,
    workerPid: p.worker.pid ?? 0,
    redisPid: p.redis.pid ?? 0,
    redisUrl: p.redisUrl,
    prefix: p.prefix,
    slots: p.slots,
    logDir: p.dir,
    idle: (ms = 60_000) => waitIdle(p.redisUrl, p.prefix, ms),
    stop,
  };
}

/** SIGTERM, then SIGKILL if it has not exited in 10 s (the worker's grace is 2 s) */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && kill(child.pid ?? 0, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** stops the stack and exits on SIGINT/SIGTERM; returns what removes the handlers */
function onSignals(stop: () => Promise<void>): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = (): void => {
      process.stderr.write(`\n${signal}: stopping the stack\n`);
      void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

async function waitIdle(redisUrl: string, prefix: string, ms: number): Promise<boolean> {
  const redis = connect(redisUrl, 'codebox-load-idle');
  const queue = createQueue(redis, prefix);
  try {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return true;
      await sleep(100);
    }
    return false;
  } finally {
    await queue.close().catch(() => undefined);
    await redis.quit().catch(() => undefined);
  }
}

/** a child that exited a moment ago may not have been reaped yet: ESRCH is no error */
function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    if (pid > 0) process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${path.basename(file)})`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
