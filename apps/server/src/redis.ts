/**
 * The embedded Redis of `npm start`: a private redis-server on a unix socket (mode 700,
 * no TCP port) under the data directory, with the append-only file on, so queued jobs
 * survive a restart. Bounded by maxmemory with noeviction: past it, writes are refused
 * (new jobs get 503) and nothing is evicted, as the queue's keys have no TTL and losing
 * one loses a job. It dies with us: setpriv --pdeathsig, also if we are killed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface EmbeddedRedis {
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startEmbeddedRedis(
  dataDir: string,
  maxmemoryBytes: number,
  log: (line: string) => void,
): Promise<EmbeddedRedis> {
  const dir = path.join(dataDir, 'redis');
  // the data dir holds the image root too, which box uids read through it: 0755 when we
  // make it; Redis's own files stay private in theirs
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const socket = path.join(dir, 'redis.sock');
  if (await answers(socket))
    throw new Error(
      `a Redis is already serving ${socket}: is another codebox running with CODEBOX_DATA_DIR=${dataDir}?`,
    );
  const child: ChildProcess = spawn(
    'setpriv',
    [
      '--pdeathsig',
      'SIGTERM',
      '--',
      'redis-server',
      '--port',
      '0',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory',
      String(maxmemoryBytes),
      '--maxmemory-policy',
      'noeviction',
      // a Redis that cannot save on SIGTERM (disk full, dir gone) refuses to exit; after
      // --pdeathsig nobody is left to follow up with SIGKILL: it exits anyway, the AOF
      // written up to the last second
      '--shutdown-on-sigterm',
      'force',
      '--daemonize',
      'no',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    // a session of its own: a signal to npm start's process group (Ctrl-C, a service
    // manager) must not stop Redis before the worker has recorded its jobs' ends; npm start
    // stops it last (and --pdeathsig, if npm start dies)
    { stdio: 'ignore', detached: true },
  );
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
    log(`embedded redis exited (${code})`);
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers(socket))) {
    if (exited !== undefined)
      throw new Error(`redis-server exited with ${exited} at start; see ${path.join(dir, 'redis.log')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on ${socket} within 10 s; see ${path.join(dir, 'redis.log')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `unix://${socket}`,
    dir,
    stop: async () => {
      if (exited !== undefined) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM'); // redis saves and exits on SIGTERM
      await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
      if (exited === undefined) child.kill('SIGKILL');
    },
  };
}

async function answers(socket: string): Promise<boolean> {
  if (!fs.existsSync(socket)) return false;
  const r = new Redis({
    path: socket,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 500,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
