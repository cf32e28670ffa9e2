/**
 * The API's process-level life: connect to Redis, open the queue, build the app, listen;
 * and close it all. Used by `npm run api` and by `npm start`.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { connect, createQueue, JobStore, letGo, StreamHub } from '@codebox/jobs';
import { DASHBOARD_KEEPS } from './admin/index.js';
import { createApp } from './app.js';
import type { ApiConfig } from './config.js';
import { apiMetrics } from './metrics.js';

export interface RunningApi {
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

export async function startApi(
  config: ApiConfig,
  redisUrl: string,
  registry: Registry,
  log: Logger,
  version = '0.1.0',
): Promise<RunningApi> {
  const redis = connect(redisUrl, 'codebox-api', { failFast: true });
  const queueConn = connect(redisUrl, 'codebox-api-queue', { failFast: true });
  // fail-fast connections refuse commands until connected: give Redis a moment at start,
  // then serve anyway (503 until it is there)
  await Promise.race([Promise.all([ready(redis), ready(queueConn)]), new Promise((r) => setTimeout(r, 5_000))]);
  const store = new JobStore(redis, config.redisPrefix, {
    jobTtlS: 86_400,
    resultTtlS: config.resultTtlS,
    streamMaxLen: 10_000,
  });
  const queue = createQueue(queueConn, config.redisPrefix, config.adminKey ? DASHBOARD_KEEPS : undefined);
  const streams = new StreamHub(redis);
  const { app, attach } = createApp({
    config,
    redis,
    streams,
    store,
    queue,
    registry,
    metrics: apiMetrics(registry, queue),
    version,
    log,
  });
  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const closeSockets = attach(server);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: async () => {
      closeSockets();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      streams.close();
      // a Redis that is gone must not hold the API: each goodbye gets a moment, then is cut
      await Promise.race([
        queue.close().catch(() => undefined),
        new Promise((r) => setTimeout(r, CLOSE_STEP_MS).unref()),
      ]);
      for (const conn of [queueConn, redis]) await letGo(conn, CLOSE_STEP_MS);
    },
  };
}

/** how long each of the API's goodbyes to Redis may take when it stops */
const CLOSE_STEP_MS = 1_000;

function ready(redis: { status: string; once(event: 'ready', fn: () => void): unknown }): Promise<void> {
  return redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()));
}
