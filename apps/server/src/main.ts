/**
 * `npm start`: the whole service in one command. Without REDIS_URL it starts a private
 * Redis (persistent, on a unix socket in the data directory); then one worker and the
 * API, in this process, sharing one /metrics. Prints the URLs (the API, the playground, the
 * API reference) and a curl that runs Python.
 * SIGTERM/SIGINT: the API stops, the worker drains (CODEBOX_GRACE_MS), Redis saves.
 */
import { ConfigError } from '@codebox/config';
import { startApi, loadApiConfig } from '@codebox/api';
import { loadWorkerConfig, startWorker, workerMetrics } from '@codebox/worker';
import { RootfsError } from '@codebox/runtimes';
import { boxInitState, SandboxError } from '@codebox/sandbox';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadServerConfig } from './config.js';
import { preflight } from './preflight.js';
import { startEmbeddedRedis } from './redis.js';
import type { EmbeddedRedis } from './redis.js';

const log = (line: string): void => void process.stderr.write(`codebox: ${line}\n`);

/**
 * SIGTERM and SIGINT are ours from the first moment: one that comes while codebox starts
 * is kept, and acted on once it is up (a default SIGTERM would kill it with its boxes and
 * Redis half made). A second one while stopping: stop now.
 */
let asked: string | undefined;
let onStop: ((signal: string) => void) | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (onStop) return onStop(signal);
    if (asked) process.exit(1);
    asked = signal;
  });
}

async function main(): Promise<void> {
  const apiConfig = loadApiConfig(process.env);
  const workerConfig = loadWorkerConfig(process.env);
  const serverConfig = loadServerConfig(process.env);
  preflight({ embeddedRedis: apiConfig.redisUrl === undefined, buildInit: boxInitState() !== 'built' }, log);
  // from here on, structured lines (pino) on stderr; the banner goes to stdout
  const logger = pino({ base: { service: 'codebox' } }, pino.destination(2));
  let redis: EmbeddedRedis | undefined;
  let redisUrl = apiConfig.redisUrl;
  if (!redisUrl) {
    redis = await startEmbeddedRedis(workerConfig.dataDir, serverConfig.redisMaxmemoryBytes, log);
    redisUrl = redis.url;
    logger.info(
      { redis: redis.url, dir: redis.dir, maxmemoryBytes: serverConfig.redisMaxmemoryBytes },
      'embedded redis started',
    );
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  try {
    const worker = await startWorker({
      config: workerConfig,
      redisUrl,
      metrics: workerMetrics(registry),
      log: logger.child({ role: 'worker' }),
    });
    // an API that cannot listen (the port is taken) must not leave the worker claiming jobs
    const api = await startApi(apiConfig, redisUrl, registry, logger.child({ role: 'api' })).catch(
      async (err: unknown) => {
        await worker.close(0);
        throw err;
      },
    );
    const auth = apiConfig.apiKeys.length > 0 ? ` -H "Authorization: Bearer $CODEBOX_KEY"` : '';
    process.stdout.write(
      [
        `codebox is up: ${api.url}  (${worker.runtimes.length} languages on the ${worker.root.name} root)`,
        `  playground: ${api.url}/   API reference: ${api.url}/docs${apiConfig.adminKey ? `   queues: ${api.url}/admin/queues` : ''}`,
        apiConfig.apiKeys.length === 0
          ? 'no API keys configured: listening on loopback only'
          : `${apiConfig.apiKeys.length} API keys configured`,
        '',
        'Try it:',
        `  curl -s '${api.url}/v1/jobs?wait=true'${auth} -H 'Content-Type: application/json' \\`,
        `    -d '{"language": "python", "files": [{"content": "import sys; print(\\"Hello from a box, Python\\", sys.version.split()[0])"}]}'`,
        '',
      ].join('\n'),
    );
    let stopping = false;
    onStop = (signal: string): void => {
      if (stopping) {
        log(`${signal} again: stopping now (the next start sweeps what is left)`);
        process.exit(1);
      }
      stopping = true;
      logger.info(
        { signal, graceMs: workerConfig.graceMs },
        `${signal}: stopping (running jobs have ${workerConfig.graceMs} ms)`,
      );
      void (async () => {
        await api.close();
        await worker.close();
        await redis?.stop();
        process.exit(0);
      })();
    };
    if (asked) onStop(asked);
  } catch (err) {
    await redis?.stop();
    throw err;
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    for (const line of err.lines) log(line);
    process.exit(2);
  }
  log(
    err instanceof SandboxError || err instanceof RootfsError
      ? `cannot make boxes: ${err.message}`
      : err instanceof Error
        ? err.message
        : String(err),
  );
  process.exit(1);
});
