/**
 * The API as an Express 5 app, built from its dependencies (the engine is not one of
 * them: the API holds no job state and runs no code). It mounts the features — the native
 * API (/v1 and the open routes: runtimes, health, metrics, OpenAPI), sessions, the pages
 * for people (the playground, the API reference), the queue dashboard, Piston v2 and
 * Judge0 CE — on the shared infrastructure: keys, rate, stream limits, the catalog, metrics.
 * Every error leaves in one shape (errors.ts); the adapters answer in their own.
 */
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import express from 'express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Keys, ProblemStore, SessionStore } from '@codebox/jobs';
import type { JobStore, QueuedJob, RedisConnection, StreamHub } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';
import { adminRoutes } from './admin/index.js';
import { authenticate, ownerFrom } from './auth.js';
import { CatalogReader } from './catalog.js';
import type { ApiConfig } from './config.js';
import { errorHandler } from './errors.js';
import { judge0 } from './judge0/index.js';
import type { ApiMetrics } from './metrics.js';
import { mcpRoutes } from './mcp/index.js';
import { metaRoutes, nativeRoutes } from './native/index.js';
import { piston } from './piston/index.js';
import { packageUploads, problemRoutes } from './problems/index.js';
import { rateChecker, rateLimit } from './rate-limit.js';
import { sessions } from './sessions/index.js';
import { StreamLimiter } from './streams.js';
import { webRoutes } from './web/index.js';
import type { WebBuild } from './web/index.js';

export interface ApiDeps {
  readonly config: ApiConfig;
  readonly redis: RedisConnection;
  /** every blocking read of the process (followers, waits, session calls), on one connection */
  readonly streams: StreamHub;
  readonly store: JobStore;
  readonly queue: Queue<QueuedJob>;
  readonly registry: Registry;
  readonly metrics: ApiMetrics;
  readonly version: string;
  /** structured logs (pino); lines about a job carry its jobId */
  readonly log: Logger;
  /** the web pages' build; by default apps/web's, read at start */
  readonly web?: WebBuild;
}

export interface Api {
  readonly app: Express;
  /**
   * what is not Express: Piston's WebSocket on the HTTP server's upgrades, and the
   * delivery of Judge0 callbacks; returns their close
   */
  attach: (server: http.Server) => () => void;
}

export function createApp(d: ApiDeps): Api {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const keys = new Keys(d.config.redisPrefix);
  const catalog = new CatalogReader(d.redis, keys, d.config.workerFreshMs);
  app.use(observeRequests(d.metrics));
  app.use(metaRoutes({ redis: d.redis, catalog, registry: d.registry, version: d.version }));
  app.use(webRoutes(d.web));
  app.use(adminRoutes({ adminKey: d.config.adminKey, queues: [d.queue] }));
  const auth = authenticate(d.config.apiKeys);
  app.use('/v1', auth);
  const shared = featureDeps(d, keys, catalog, auth);
  const pistonApi = piston({ ...shared, resolveVersions: d.config.pistonResolveVersions });
  const judge0Api = judge0({
    ...shared,
    keys,
    prefix: d.config.judge0Prefix,
    version: d.version,
    callbackAllow: d.config.callbackAllow,
    callbackDenyPrivate: d.config.callbackDenyPrivate,
  });
  const sessionsApi = sessions({
    ...shared,
    keys,
    sessions: new SessionStore(d.redis, d.config.redisPrefix, { retentionS: d.config.resultTtlS, startingTtlS: 120 }),
    sessionsPerKey: d.config.sessionsPerKey,
  });
  app.use(nativeRoutes(shared));
  app.use(
    problemRoutes({
      ...shared,
      problemMaxBytes: d.config.problemMaxBytes,
      problemKeyBytes: d.config.problemKeyBytes,
      uploads: packageUploads(d.config.problemUploads),
    }),
  );
  app.use(
    mcpRoutes({
      authenticate: auth,
      rateLimit: shared.rateLimit,
      bodyLimitBytes: d.config.bodyLimitBytes,
      version: d.version,
      log: d.log,
    }),
  );
  app.use(sessionsApi.routes);
  app.use(pistonApi.routes);
  app.use(judge0Api.routes);
  app.use((_req: Request, _res: Response, next: NextFunction) => next(new ApiError('ROUTE_NOT_FOUND')));
  app.use(errorHandler(d.log));
  const attach = (server: http.Server): (() => void) => {
    // one listener takes the server's upgrades: a terminal's goes to sessions, the rest to
    // Piston, which refuses (destroys) any upgrade it does not know and so sees only its own
    // kind; Piston's attach listens for 'upgrade' and nothing else on what it is given
    const others = new EventEmitter();
    const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
      // a throw in a server's own listener ends the process: this one ends the socket instead
      try {
        if (sessionsApi.sockets.handles(req)) sessionsApi.sockets.upgrade(req, socket, head);
        else others.emit('upgrade', req, socket, head);
      } catch (err) {
        d.log.warn({ err }, 'upgrade refused');
        socket.destroy();
      }
    };
    server.on('upgrade', onUpgrade);
    const closeSocket = pistonApi.attach(others as http.Server);
    const stopCallbacks = judge0Api.start();
    return () => {
      server.off('upgrade', onUpgrade);
      sessionsApi.sockets.close();
      closeSocket();
      stopCallbacks();
    };
  };
  return { app, attach };
}

/** what every feature is given: the job service's deps and the shared infrastructure (one stream limiter, one rate) */
function featureDeps(d: ApiDeps, keys: Keys, catalog: CatalogReader, auth: RequestHandler) {
  const rateCheck = rateChecker(d.redis, keys, d.config.ratePerMinute);
  return {
    redis: d.redis,
    streams: d.streams,
    store: d.store,
    problems: new ProblemStore(d.redis, d.config.redisPrefix),
    queue: d.queue,
    queueMax: d.config.queueMax,
    limiter: new StreamLimiter(d.config.maxStreams, d.config.maxStreamsPerKey),
    log: d.log,
    catalog,
    waitMs: d.config.waitMs,
    bodyLimitBytes: d.config.bodyLimitBytes,
    rateLimit: rateLimit(rateCheck),
    rateCheck,
    authenticate: auth,
    owner: ownerFrom(d.config.apiKeys),
  };
}

/** the request metric, labelled by the route's pattern */
function observeRequests(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const t0 = performance.now();
    res.on('finish', () => {
      // the route's pattern, not the path: job ids must not become label values
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      metrics.http.observe(
        { route, method: req.method, status: String(res.statusCode) },
        (performance.now() - t0) / 1000,
      );
    });
    next();
  };
}
