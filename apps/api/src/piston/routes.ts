/**
 * Piston v2 at /api/v2: GET /runtimes and POST /execute, synchronous as Piston is, on the
 * same queue and workers as the native API. Errors in Piston's shape, {message}.
 *
 * One deliberate difference: Piston answers 415 to any body not sent as application/json,
 * which the npm package piston-client (it sends text/plain) cannot pass. Here a body that
 * parses as JSON is taken whatever its type; one that does not is 415 (400 when it claimed
 * to be JSON).
 */
import express, { Router } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { JobStore } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';
import type { JobView } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { PistonError, pistonRequest, pistonResult, pistonRuntimes } from './wire.js';
import { clientGone, resultOf, submitFollowed } from '../jobs/index.js';
import type { JobServiceDeps } from '../jobs/index.js';

/** queueing and scheduling on top of the job's own compile and run time */
const MARGIN_MS = 60_000;

export interface PistonRoutesDeps extends JobServiceDeps {
  readonly catalog: CatalogReader;
  /** the least time execute waits for a job's end */
  readonly waitMs: number;
  readonly bodyLimitBytes: number;
  /** the key's rate, as middleware for a route that creates one job */
  readonly rateLimit: RequestHandler;
  readonly authenticate: RequestHandler;
}

export function pistonRoutes(d: PistonRoutesDeps): Router {
  const r = Router();
  r.use('/api/v2', d.authenticate);

  r.get('/api/v2/runtimes', async (_req, res) => {
    res.json(pistonRuntimes((await d.catalog.read()).runtimes));
  });

  const raw = express.text({ type: () => true, limit: d.bodyLimitBytes });
  r.post('/api/v2/execute', d.rateLimit, raw, async (req, res) => {
    const gone = clientGone(res);
    let body: unknown;
    try {
      body = JSON.parse(typeof req.body === 'string' ? req.body : '');
    } catch {
      if (req.is('application/json')) return void res.status(400).json({ message: 'the body is not valid JSON' });
      return void res.status(415).json({ message: 'requests must be of type application/json' });
    }
    const { request, runtime } = pistonRequest(body, await d.catalog.requestContext());
    const owner = String(res.locals.owner);
    const defaults = (await d.catalog.read()).limits;
    const wall = (l: Record<string, number> | undefined, dflt: object | undefined) => l?.wallMs ?? (dflt as { wallMs?: number } | undefined)?.wallMs ?? 0;
    const bound = Math.max(d.waitMs, wall(request.compileLimits, defaults?.compile.defaults) + wall(request.limits, defaults?.run.defaults) + MARGIN_MS);
    const { id, f } = await submitFollowed(d, owner, request, runtime, { gone, boundMs: bound });
    const view = await resultOf(f);
    // Piston answers synchronously: a client that has gone wants no result, nor the run
    if (gone.aborted) return void (await d.store.cancel(id).catch(() => undefined));
    if (!view) return void res.status(500).json({ message: `the job did not finish within ${bound} ms` });
    res.json(pistonResult(view, runtime, await interleaved(d.store, id, view)));
  });

  r.use('/api/v2', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof PistonError) return void res.status(400).json({ message: err.message });
    if (err instanceof ApiError) {
      if (err.retryAfterS !== undefined) res.set('Retry-After', String(err.retryAfterS));
      return void res.status(err.status).json({ message: err.message });
    }
    next(err);
  });
  return r;
}

/**
 * Piston's `output`: stdout and stderr in the order they were written, rebuilt from the
 * job's event stream; when that stream was capped before the end, stdout then stderr.
 */
async function interleaved(store: JobStore, id: string, view: JobView): Promise<string | undefined> {
  const r = view.result;
  if (!r || r.status === 'COMPILE_ERROR') return undefined;
  let parts: Buffer[] = [];
  for (const { event } of await store.readEvents(id, '0')) {
    // the compiler's output comes first, under its own stage: only the run's counts here
    if (event.type === 'stage' && event.data.state === 'start') parts = [];
    if (event.type === 'stdout' || event.type === 'stderr') parts.push(Buffer.from(event.data.data, event.data.encoding));
  }
  const all = Buffer.concat(parts);
  const expected = Buffer.byteLength(r.stdout, r.stdoutEncoding) + Buffer.byteLength(r.stderr, r.stderrEncoding);
  return all.length === expected ? all.toString('utf8') : undefined;
}
