/** `npm run api`: the API alone, against REDIS_URL, for deployments with many workers. */
import { ConfigError } from '@codebox/config';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadApiConfig } from './config.js';
import { startApi } from './server.js';

const log = (line: string): void => void process.stderr.write(`codebox-api: ${line}\n`);

// SIGTERM and SIGINT are ours from the first moment: one that comes while the API starts
// is acted on once it is up
let asked = false;
let onStop: (() => void) | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (onStop) return onStop();
    if (asked) process.exit(1);
    asked = true;
  });
}

try {
  const config = loadApiConfig(process.env);
  if (!config.redisUrl)
    throw new ConfigError(['REDIS_URL: must be set for the API alone (npm start runs its own Redis)']);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const logger = pino({ base: { role: 'api' } }, pino.destination(2));
  const api = await startApi(config, config.redisUrl, registry, logger);
  logger.info(
    { url: api.url, keys: config.apiKeys.length },
    `listening on ${api.url}${config.apiKeys.length === 0 ? ' (no API keys: loopback only)' : ` (${config.apiKeys.length} API keys)`}`,
  );
  let stopping = false;
  onStop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    void api.close().then(() => process.exit(0));
  };
  if (asked) onStop();
} catch (err) {
  if (err instanceof ConfigError) {
    for (const line of err.lines) log(line);
    process.exit(2);
  }
  log(String((err as Error).stack ?? err));
  process.exit(1);
}
