/**
 * A real stack for the service tests: a redis-server of their own on a unix socket in a
 * temp dir, a worker making real boxes, and the API on an ephemeral loopback port, all
 * with a fresh key prefix per stack (so a fresh BullMQ queue: BullMQ's own test rule).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { loadApiConfig, startApi } from '@codebox/api';
import type { ApiConfig, RunningApi } from '@codebox/api';
import { CodeboxClient } from '@codebox/client';
import { connect, JobStore } from '@codebox/jobs';
import type { RedisConnection } from '@codebox/jobs';
import { loadWorkerConfig, startWorker, workerMetrics } from '@codebox/worker';
import type { RunningWorker, WorkerConfig } from '@codebox/worker';
import { boxSkip, CGROUP_PARENT, TEST_ROOTFS, UID_BASE, WORK_ROOT } from '../support.js';

const execFileAsync = promisify(execFile);

/**
 * The `skip` option of a service suite: its worker makes real boxes and its jobs are
 * mostly Python, so it needs what boxSkip('python3') checks (with CODEBOX_REQUIRE_BOX=1 a
 * failure instead of a skip, see support.ts), and redis-server.
 */
export function serviceSkip(): string | false {
  const box = boxSkip('python3');
  if (box) return box;
  // CI sets CODEBOX_REQUIRE_SERVICE=1: there a missing redis-server fails the tests, not skips them
  if (process.env.CODEBOX_REQUIRE_SERVICE === '1') return false;
  if (spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0)
    return 'needs redis-server (apt-get install redis-server)';
  return false;
}

export interface TestRedis {
  readonly url: string;
  readonly socket: string;
  readonly dir: string;
  /** the TCP port on 127.0.0.1 when asked for one (tcpPort), else 0 */
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stops it and removes its directory */
  destroy(): Promise<void>;
}

/**
 * A private redis-server on a unix socket; persistence (append-only) when asked; also on
 * a TCP port of 127.0.0.1 with tcpPort (0: a free one); with maxmemory (e.g. 32mb), full
 * past it under noeviction, as `npm start`'s is.
 */
export async function startRedis(
  options: { persist?: boolean; dirRoot?: string; socketPerm?: string; tcpPort?: number; maxmemory?: string } = {},
): Promise<TestRedis> {
  const dir = fs.mkdtempSync(path.join(options.dirRoot ?? os.tmpdir(), 'codebox-test-redis-'));
  if (options.dirRoot) fs.chmodSync(dir, 0o755);
  const socket = path.join(dir, 'redis.sock');
  const port = options.tcpPort === undefined ? 0 : options.tcpPort || (await freePort());
  let child: ReturnType<typeof spawn> | undefined;
  const start = async (): Promise<void> => {
    const tcp = port ? ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'no'] : ['--port', '0'];
    const memory = options.maxmemory ? ['--maxmemory', options.maxmemory, '--maxmemory-policy', 'noeviction'] : [];
    child = spawn(
      'redis-server',
      [
        ...tcp,
        '--unixsocket',
        socket,
        '--unixsocketperm',
        options.socketPerm ?? '700',
        '--dir',
        dir,
        '--appendonly',
        options.persist ? 'yes' : 'no',
        '--save',
        '',
        ...memory,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(socket)) {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async (): Promise<void> => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `unix://${socket}`,
    socket,
    dir,
    port,
    start,
    stop,
    destroy: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Stack {
  readonly url: string;
  readonly prefix: string;
  readonly api: RunningApi;
  readonly worker: RunningWorker;
  readonly registry: Registry;
  readonly redis: RedisConnection;
  readonly store: JobStore;
  client(apiKey?: string): CodeboxClient;
  stop(): Promise<void>;
}

let stacks = 0;

export async function startStack(
  redisUrl: string,
  options: { api?: Partial<ApiConfig>; worker?: Partial<WorkerConfig>; log?: Logger; prefix?: string } = {},
): Promise<Stack> {
  const n = ++stacks;
  const prefix = options.prefix ?? `cbtest-${process.pid}-${n}`;
  const registry = new Registry();
  const workerConfig: WorkerConfig = {
    ...loadWorkerConfig({}),
    sandbox: {
      cgroupParent: CGROUP_PARENT,
      workRoot: WORK_ROOT,
      uidBase: UID_BASE + 300 + 40 * (stacks % 8),
      uidCount: 32,
      // prepared boxes as a worker has them by default: one per slot, on its root
    },
    rootfs: TEST_ROOTFS ?? 'host',
    redisPrefix: prefix,
    slots: 2,
    graceMs: 2_000,
    metricsPort: 0,
    ...options.worker,
  };
  const worker = await startWorker({
    config: workerConfig,
    redisUrl,
    metrics: workerMetrics(registry),
    ...(options.log ? { log: options.log } : {}),
  });
  const apiConfig: ApiConfig = { ...loadApiConfig({}), port: 0, redisPrefix: prefix, waitMs: 20_000, ...options.api };
  const api = await startApi(apiConfig, redisUrl, registry, options.log ?? pino({ level: 'silent' }));
  const redis = connect(redisUrl, 'codebox-test');
  return {
    url: api.url,
    prefix,
    api,
    worker,
    registry,
    redis,
    store: new JobStore(redis, prefix),
    client: (apiKey?: string) => new CodeboxClient({ baseUrl: api.url, ...(apiKey ? { apiKey } : {}) }),
    stop: async () => {
      await api.close();
      await worker.close(1_000);
      await redis.quit();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/** POST with any body and headers: for the bad-input tests the typed client cannot send */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: { error?: { code: string; message: string; details?: Record<string, unknown> } } & Record<string, unknown> =
    {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON: the assertions say so
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** polls until fn is true or ms passed */
export async function until(fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A Redis and a stack for a describe block: started before its tests, stopped after.
 * Call inside describe(); `t.s` and `t.redis` are there once its tests run.
 */
export function useStack(
  options: Parameters<typeof startStack>[1] & { redis?: Parameters<typeof startRedis>[0] } = {},
): { readonly s: Stack; readonly redis: TestRedis } {
  const t = {} as { s: Stack; redis: TestRedis };
  const { redis: redisOptions, ...stackOptions } = options;
  before(async () => {
    t.redis = await startRedis(redisOptions);
    t.s = await startStack(t.redis.url, stackOptions);
  });
  after(async () => {
    await t.s?.stop();
    await t.redis?.destroy();
  });
  return t;
}

export interface TestCluster {
  /** redis+cluster://127.0.0.1:<port>,… */
  readonly url: string;
  readonly ports: readonly number[];
  readonly dir: string;
  /** stops its servers and removes its directory */
  destroy(): Promise<void>;
}

/**
 * A Redis Cluster of `size` masters, no replicas, on free ports of 127.0.0.1, their files
 * in one temp dir; resolved once every node says cluster_state:ok. Each node's cluster
 * bus gets a free port of its own: the default, port + 10000, may be taken or past 65535.
 */
export async function startCluster(size = 3): Promise<TestCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-test-cluster-'));
  const children: ReturnType<typeof spawn>[] = [];
  const destroy = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopChild(child)));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [ports, busPorts] = [await freePorts(size), await freePorts(size)];
    for (const [i, port] of ports.entries()) {
      children.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--dir',
            dir,
            '--save',
            '',
            '--appendonly',
            'no',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(dir, `nodes-${i}.conf`),
            '--cluster-port',
            String(busPorts[i]),
            '--logfile',
            path.join(dir, `redis-${i}.log`),
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of ports) await until(async () => (await redisCli(port, 'ping').catch(() => '')) === 'PONG');
    await redisCli(
      ports[0]!,
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    );
    for (const port of ports)
      await until(async () => /cluster_state:ok/.test(await redisCli(port, 'cluster', 'info')), 20_000);
    return { url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, ports, dir, destroy };
  } catch (err) {
    await destroy();
    throw new Error(`the test cluster did not come up (logs in ${dir}, now removed): ${(err as Error).message}`);
  }
}

/** redis-cli against one node of 127.0.0.1; its output, trimmed */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 10_000,
  });
  return stdout.trim();
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function stopChild(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
