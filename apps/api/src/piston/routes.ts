/**
 * Piston v2 at /api/v2: GET /runtimes, GET /packages and POST /execute, synchronous as Piston is, on the
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
import type { JobRequest, JobView } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { clientGone, resultOf, submitFollowed } from '../jobs/index.js';
import type { JobServiceDeps } from '../jobs/index.js';
import {
  hasRunOutput,
  PISTON_MESSAGES,
  PistonError,
  pistonRequest,
  pistonPackages,
  pistonResult,
  pistonRuntimes,
  runOutput,
} from './wire/index.js';
import type { PistonOptions } from './wire/index.js';

/** queueing and scheduling on top of the job's own compile and run time */
const MARGIN_MS = 60_000;

export interface PistonRoutesDeps extends JobServiceDeps, PistonOptions {
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
  // ppman list; installing and removing packages is not a client's to do here
  r.get('/api/v2/packages', async (_req, res) => {
    res.json(pistonPackages((await d.catalog.read()).runtimes));
  });
  const raw = express.text({ type: () => true, limit: d.bodyLimitBytes });
  r.post('/api/v2/execute', d.rateLimit, raw, (req, res) => execute(d, req, res));
  r.use('/api/v2', pistonErrors);
  return r;
}

/** POST /api/v2/execute: the job made, waited for, and answered as Piston answers */
async function execute(d: PistonRoutesDeps, req: Request, res: Response): Promise<void> {
  const gone = clientGone(res);
  const body = parseBody(req);
  if ('refused' in body) return void res.status(body.status).json({ message: body.refused });
  const { request, runtime } = pistonRequest(body.json, await d.catalog.requestContext(), d);
  const owner = String(res.locals.owner);
  const bound = await waitBound(d, request);
  const { id, f } = await submitFollowed(d, owner, request, runtime, { gone, boundMs: bound });
  const view = await resultOf(f);
  // Piston answers synchronously: a client that has gone wants no result, nor the run
  if (gone.aborted) return void (await d.store.cancel(id).catch(() => undefined));
  if (!view) return void res.status(500).json({ message: PISTON_MESSAGES.unfinished(bound) });
  res.json(pistonResult(view, runtime, await interleaved(d.store, id, view)));
}

/** the body as JSON, whatever its type (see above); else Piston's 400 or 415 */
function parseBody(req: Request): { json: unknown } | { status: 400 | 415; refused: string } {
  try {
    return { json: JSON.parse(typeof req.body === 'string' ? req.body : '') };
  } catch {
    return req.is('application/json')
      ? { status: 400, refused: PISTON_MESSAGES.badJson }
      : { status: 415, refused: PISTON_MESSAGES.notJson };
  }
}

/**
 * how long execute waits: the job's compile and run wall times (its own, or the defaults)
 * and a margin, at least waitMs
 */
async function waitBound(d: PistonRoutesDeps, request: JobRequest): Promise<number> {
  const defaults = (await d.catalog.read()).limits;
  const wall = (l: Record<string, number> | undefined, dflt: object | undefined) =>
    l?.wallMs ?? (dflt as { wallMs?: number } | undefined)?.wallMs ?? 0;
  return Math.max(
    d.waitMs,
    wall(request.compileLimits, defaults?.compile.defaults) + wall(request.limits, defaults?.run.defaults) + MARGIN_MS,
  );
}

/** the run's stdout and stderr in the order written, from the job's events, when they hold it all */
async function interleaved(store: JobStore, id: string, view: JobView): Promise<string | undefined> {
  if (!hasRunOutput(view)) return undefined;
  return runOutput(
    (await store.readEvents(id, '0')).map((e) => e.event),
    view.result,
  );
}

/** errors under /api/v2 in Piston's shape, {message}; the rest go on to the API's handler */
function pistonErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (err instanceof PistonError) return void res.status(400).json({ message: err.message });
  if (err instanceof ApiError) {
    if (err.retryAfterS !== undefined) res.set('Retry-After', String(err.retryAfterS));
    return void res.status(err.status).json({ message: err.message });
  }
  next(err);
}
