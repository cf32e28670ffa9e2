/**
 * `npm run worker`: one worker against REDIS_URL, for running many workers on many hosts.
 * SIGTERM or SIGINT: drain (CODEBOX_GRACE_MS), then exit. /metrics on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@codebox/config';
import { RootfsError } from '@codebox/runtimes';
import { SandboxError } from '@codebox/sandbox';
import { pino } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadWorkerConfig } from './config.js';
import { workerMetrics } from './metrics.js';
import { startWorker } from './worker.js';

const log = (line: string): void => void process.stderr.write(`codebox-worker: ${line}\n`);

/** with the default port taken (another worker on this host), how many next ports to try */
const PORTS_SEARCHED = 31;

/** /metrics on 127.0.0.1:port, or the next free of `search` ports; a ConfigError when none is */
async function listenMetrics(registry: Registry, port: number, search: number): Promise<http.Server> {
  for (let p = port; p <= port + search && p <= 65535; p++) {
    const server = http.createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
    });
    const taken = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
      server.listen(p, '127.0.0.1', () => resolve(false));
    });
    if (!taken) return server;
  }
  const which =
    search > 0
      ? `127.0.0.1:${port}-${port + search} are in use`
      : `127.0.0.1:${port} is in use (another worker on this host?)`;
  throw new ConfigError([
    `CODEBOX_WORKER_METRICS_PORT=${JSON.stringify(String(port))}: ${which}: set a free port, or 0 for none`,
  ]);
}

// SIGTERM and SIGINT are ours from the first moment: one that comes while the worker
// starts is acted on once it is up; a second one while it stops: stop now
let asked: string | undefined;
let onStop: ((signal: string) => void) | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (onStop) return onStop(signal);
    if (asked) process.exit(1);
    asked = signal;
  });
}

try {
  const config = loadWorkerConfig(process.env);
  if (!config.redisUrl)
    throw new ConfigError(['REDIS_URL: must be set for a standalone worker (npm start runs its own Redis)']);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const logger = pino({ base: { role: 'worker' } }, pino.destination(2));
  // the port first, before anything is made: a port another worker holds is the next one
  // when it was the default, else one line and exit 2
  const explicit = (process.env.CODEBOX_WORKER_METRICS_PORT ?? '') !== '';
  const server = config.metricsPort
    ? await listenMetrics(registry, config.metricsPort, explicit ? 0 : PORTS_SEARCHED)
    : undefined;
  const worker = await startWorker({
    config,
    redisUrl: config.redisUrl,
    metrics: workerMetrics(registry),
    log: logger,
  });
  if (server)
    logger.info(
      { metrics: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics` },
      `metrics on 127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
  let stopping = false;
  onStop = (signal: string): void => {
    if (stopping) {
      log(`${signal} again: stopping now (the next worker on this host sweeps what is left)`);
      process.exit(1);
    }
    stopping = true;
    logger.info(
      { signal, graceMs: config.graceMs },
      `${signal}: taking no new jobs; running ones have ${config.graceMs} ms`,
    );
    void worker.close().then(() => {
      server?.close();
      process.exit(0);
    });
  };
  if (asked) onStop(asked);
} catch (err) {
  if (err instanceof ConfigError) {
    for (const line of err.lines) log(line);
    process.exit(2);
  }
  // a worker that cannot make boxes says so once, at start, instead of failing every job
  log(
    err instanceof SandboxError || err instanceof RootfsError
      ? `cannot make boxes: ${err.message}`
      : String((err as Error).stack ?? err),
  );
  process.exit(1);
}
