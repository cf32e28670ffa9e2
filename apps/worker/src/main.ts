/**
 * `npm run worker`: one worker against REDIS_URL, for running many workers on many hosts.
 * SIGTERM or SIGINT: drain (CODEBOX_GRACE_MS), then exit. /metrics on 127.0.0.1.
 */
import http from 'node:http';
import { ConfigError } from '@codebox/config';
import { SandboxError } from '@codebox/sandbox';
import { pino } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadWorkerConfig } from './config.js';
import { workerMetrics } from './metrics.js';
import { startWorker } from './worker.js';

const log = (line: string): void => void process.stderr.write(`codebox-worker: ${line}\n`);

try {
  const config = loadWorkerConfig(process.env);
  if (!config.redisUrl) throw new ConfigError(['REDIS_URL: must be set for a standalone worker (npm start runs its own Redis)']);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const logger = pino({ base: { role: 'worker' } }, pino.destination(2));
  const worker = await startWorker({ config, redisUrl: config.redisUrl, metrics: workerMetrics(registry), log: logger });
  const server = config.metricsPort
    ? http.createServer((req, res) => {
        if (req.url !== '/metrics') return void res.writeHead(404).end();
        void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
      }).listen(config.metricsPort, '127.0.0.1')
    : undefined;
  const stop = (signal: string): void => {
    logger.info({ signal, graceMs: config.graceMs }, `${signal}: taking no new jobs; running ones have ${config.graceMs} ms`);
    void worker.close().then(() => {
      server?.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (err) {
  if (err instanceof ConfigError) {
    for (const line of err.lines) log(line);
    process.exit(2);
  }
  // a worker that cannot make boxes says so once, at start, instead of failing every job
  log(err instanceof SandboxError ? `cannot make boxes: ${err.message}` : String((err as Error).stack ?? err));
  process.exit(1);
}
