/**
 * The service's roles as processes of their own, for tests that kill them: `npm start`'s
 * server, `npm run api` and `npm run worker` (their built dist/main.js), with the test
 * host's cgroup parent, work root and a uid range per process.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CGROUP_PARENT, UID_BASE, WORK_ROOT } from '../support.js';

export const ROOT = path.join(import.meta.dirname, '..', '..');

/** a role's environment: only what is given, on the test host's cgroups and work root */
export function roleEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    CODEBOX_CGROUP_PARENT: CGROUP_PARENT,
    CODEBOX_WORK_ROOT: WORK_ROOT,
    CODEBOX_UID_BASE: String(UID_BASE + 700),
    CODEBOX_UID_COUNT: '32',
    CODEBOX_ROOTFS: 'host',
    PORT: '0',
    ...extra,
  };
}

export function spawnRole(
  role: 'server' | 'api' | 'worker',
  extra: Record<string, string>,
  nodeArgs: readonly string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, path.join(ROOT, `apps/${role}/dist/main.js`)], {
    env: roleEnv(extra),
  });
}

/** collects a child's output and resolves when a line matches */
export function waitForLine(
  child: ChildProcess,
  re: RegExp,
  ms = 30_000,
): Promise<{ match: RegExpExecArray; output: () => string }> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} in ${ms} ms:\n${out}`)), ms);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ match: m, output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${re}:\n${out}`)));
  });
}

/** pids of the processes whose command line names `text` (a test's own temp dir) */
export function processesNaming(text: string): number[] {
  const found: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (state !== 'Z' && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(Number(pid));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** ends what a test started and left (a Redis that would not stop), before its dir goes */
export async function stopNaming(dir: string): Promise<void> {
  for (const pid of processesNaming(dir)) process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 5_000;
  while (processesNaming(dir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

export function exited(child: ChildProcess, ms = 20_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error('did not exit')), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** its worker id, as job records and worker records name it */
  readonly id: string;
  readonly uidBase: number;
}

/** `npm run worker` on redisUrl; resolves once it takes jobs */
export async function startWorkerProcess(
  redisUrl: string,
  prefix: string,
  uidBase: number,
  slots = 1,
  extra: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<WorkerProcess> {
  const child = spawnRole(
    'worker',
    {
      REDIS_URL: redisUrl,
      CODEBOX_REDIS_PREFIX: prefix,
      CODEBOX_WORKER_METRICS_PORT: '0',
      CODEBOX_UID_BASE: String(uidBase),
      CODEBOX_SLOTS: String(slots),
      CODEBOX_GRACE_MS: '1000',
      ...extra,
    },
    nodeArgs,
  );
  const { match } = await waitForLine(child, /worker (\S+): \d+ slots/).catch((err: Error) => {
    child.kill('SIGKILL'); // a start that failed leaves nothing running
    throw err;
  });
  return { child, pid: child.pid ?? 0, id: match[1] ?? '', uidBase };
}

export interface ApiProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/** `npm run api` on redisUrl, on the given port (0: any); resolves once it listens */
export async function startApiProcess(
  redisUrl: string,
  prefix: string,
  port = 0,
  extra: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<ApiProcess> {
  const child = spawnRole(
    'api',
    { REDIS_URL: redisUrl, CODEBOX_REDIS_PREFIX: prefix, PORT: String(port), ...extra },
    nodeArgs,
  );
  const { match } = await waitForLine(child, /listening on (http:\/\/[^\s"]+)/).catch((err: Error) => {
    child.kill('SIGKILL');
    throw err;
  });
  return { child, url: match[1] ?? '' };
}
