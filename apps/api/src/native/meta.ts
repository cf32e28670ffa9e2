/** The rest: runtimes, health, readiness, metrics, the OpenAPI document and its page. */
import { Router } from 'express';
import type { RedisConnection } from '@codebox/jobs';
import type { Registry } from 'prom-client';
import { ApiError, openApiDocument } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { docsPage } from './docs.js';

export interface MetaDeps {
  readonly redis: RedisConnection;
  readonly catalog: CatalogReader;
  readonly registry: Registry;
  readonly version: string;
}

export function metaRoutes(d: MetaDeps): Router {
  const r = Router();
  const doc = openApiDocument(d.version);
  const page = docsPage(doc);

  r.get('/v1/runtimes', async (_req, res) => {
    const c = await d.catalog.read();
    res.json({
      runtimes: c.runtimes,
      ...(c.limits ? { limits: c.limits.run, compileLimits: c.limits.compile } : {}),
      ...(c.limits?.outputs ? { outputs: c.limits.outputs } : {}),
      ...(c.sessions ? { sessions: c.sessions } : {}),
    });
  });
  r.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  r.get('/readyz', async (_req, res) => {
    const problems: string[] = [];
    let workers = 0;
    try {
      await Promise.race([
        d.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 1 s')), 1_000)),
      ]);
      workers = (await d.catalog.read()).workers.length;
      if (workers === 0) problems.push('no worker seen in the last 15 s');
    } catch (err) {
      problems.push(`redis: ${(err as Error).message}`);
    }
    if (problems.length > 0) throw new ApiError('UNAVAILABLE', problems.join('; '), { workers }, 5);
    res.json({ status: 'ready', workers });
  });
  r.get('/metrics', async (_req, res) => {
    res.set('Content-Type', d.registry.contentType).send(await d.registry.metrics());
  });
  r.get('/openapi.json', (_req, res) => void res.json(doc));
  r.get('/docs', (_req, res) => void res.type('html').send(page));
  return r;
}
