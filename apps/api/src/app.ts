/**
 * The API as an Express 5 app, built from its dependencies (the engine is not one of
 * them: the API holds no job state and runs no code). Routes: /v1 (jobs, events,
 * runtimes), health, metrics, OpenAPI. Every error leaves in one shape (errors.ts).
 */
import type http from 'node:http';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Keys } from '@codebox/jobs';
import type { JobStore, QueuedJob, RedisConnection } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';
import { authenticate, ownerFrom } from './auth.js';
import { attachPistonSocket } from './piston/socket.js';
import { CatalogReader } from './catalog.js';
import type { ApiConfig } from './config.js';
import { errorHandler } from './errors.js';
import type { ApiMetrics } from './metrics.js';
import { rateChecker, rateLimit } from './rate-limit.js';
import { StreamLimiter } from './streams.js';
import { eventRoutes } from './native/events.js';
import { jobRoutes } from './native/jobs.js';
import { metaRoutes } from './native/meta.js';
import { judge0Routes } from './judge0/routes.js';
import { callbackPolicy } from './judge0/callback-policy.js';
import { Judge0Callbacks } from './judge0/callbacks.js';
import { pistonRoutes } from './piston/routes.js';

export interface ApiDeps {
  readonly config: ApiConfig;
  readonly redis: RedisConnection;
  readonly store: JobStore;
  readonly queue: Queue<QueuedJob>;
  readonly registry: Registry;
  readonly metrics: ApiMetrics;
  readonly version: string;
  /** structured logs (pino); lines about a job carry its jobId */
  readonly log: Logger;
}

export interface Api {
  readonly app: Express;
  /**
   * what is not Express: Piston's WebSocket on the HTTP server's upgrades, and the
   * delivery of Judge0 callbacks; returns their close
   */
  attach(server: http.Server): () => void;
}

export function createApp(d: ApiDeps): Api {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const keys = new Keys(d.config.redisPrefix);
  const catalog = new CatalogReader(d.redis, keys, d.config.workerFreshMs);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const t0 = performance.now();
    res.on('finish', () => {
      // the route's pattern, not the path: job ids must not become label values
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      d.metrics.http.observe({ route, method: req.method, status: String(res.statusCode) }, (performance.now() - t0) / 1000);
    });
    next();
  });
  app.use(metaRoutes({ redis: d.redis, catalog, registry: d.registry, version: d.version }));
  const auth = authenticate(d.config.apiKeys);
  app.use('/v1', auth);
  const limiter = new StreamLimiter(d.config.maxStreams, d.config.maxStreamsPerKey);
  const rateCheck = rateChecker(d.redis, keys, d.config.ratePerMinute);
  const jobs = {
    redis: d.redis,
    store: d.store,
    queue: d.queue,
    catalog,
    queueMax: d.config.queueMax,
    waitMs: d.config.waitMs,
    bodyLimitBytes: d.config.bodyLimitBytes,
    limiter,
    rateLimit: rateLimit(rateCheck) as never,
    rateCheck,
    log: d.log,
  };
  app.use(jobRoutes(jobs));
  app.use(pistonRoutes({ ...jobs, authenticate: auth }));
  const policy = callbackPolicy(d.config.callbackAllow, d.config.callbackDenyPrivate);
  const callbacks = new Judge0Callbacks({ redis: d.redis, store: d.store, keys, catalog, log: d.log, policy });
  app.use(judge0Routes({ ...jobs, keys, prefix: d.config.judge0Prefix, authenticate: auth, callbacks }));
  app.use(eventRoutes({ redis: d.redis, store: d.store, limiter }));
  app.use((_req: Request, _res: Response, next: NextFunction) => next(new ApiError('ROUTE_NOT_FOUND')));
  app.use(errorHandler(d.log));
  const attach = (server: http.Server): (() => void) => {
    const closeSocket = attachPistonSocket(server, { ...jobs, owner: ownerFrom(d.config.apiKeys) });
    const stopCallbacks = callbacks.start();
    return () => {
      closeSocket();
      stopCallbacks();
    };
  };
  return { app, attach };
}
