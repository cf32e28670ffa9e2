/**
 * /v1/jobs: create (202, or 200 with ?wait=true when it ends within the bound), read,
 * cancel. A job is visible only to the key that created it: another key's is a 404.
 */
import express, { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { publicView } from '@codebox/jobs';
import type { StoredJob } from '@codebox/jobs';
import { ApiError, checkJobRequest } from '@codebox/protocol';
import type { CheckedRequest } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { clientGone, ownJob, pinProblem, resultOf, submitFollowed, submitJob, waitForEnd } from '../jobs/index.js';
import type { JobServiceDeps, SubmitOptions } from '../jobs/index.js';

export interface JobRoutesDeps extends JobServiceDeps {
  readonly catalog: CatalogReader;
  /** how long ?wait=true holds the request before answering 202 */
  readonly waitMs: number;
  readonly bodyLimitBytes: number;
  /** the key's rate, as middleware for a route that creates one job */
  readonly rateLimit: RequestHandler;
}

/** how long DELETE waits for a running job's box to be gone before answering 202 */
const CANCEL_WAIT_MS = 10_000;

export function jobRoutes(d: JobRoutesDeps): Router {
  const r = Router();

  // the body is parsed here only: after the key and its rate are checked, never elsewhere
  const json = express.json({ limit: d.bodyLimitBytes, type: 'application/json' });
  r.post('/v1/jobs', d.rateLimit, json, async (req, res) => {
    const gone = clientGone(res);
    if (!req.is('application/json'))
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the job as JSON, with Content-Type: application/json');
    const checked = checkJobRequest(req.body, await d.catalog.requestContext());
    const owner = String(res.locals.owner);
    const problem = checked.request.problem ? await pinProblem(d, owner, checked.request.problem) : undefined;
    const options = problem ? { problem } : {};
    if (wantsWait(req)) return createAndWait(d, res, checked, gone, options);
    const id = await submitJob(d, owner, checked.request, checked.runtime, options);
    res.set('Location', `/v1/jobs/${id}`);
    res.status(202).json({ id, status: 'queued' });
  });

  r.get('/v1/jobs/:id', async (req, res) => {
    res.json(publicView(await ownJob(d, req.params.id, String(res.locals.owner))));
  });

  r.delete('/v1/jobs/:id', (req, res) => cancel(d, req, res));
  return r;
}

const wantsWait = (req: Request): boolean => req.query.wait === 'true' || req.query.wait === '1';

/**
 * DELETE: a queued job is cancelled at once (200); a running one is asked to stop, and the
 * answer waits up to CANCEL_WAIT_MS for its box to be gone (200, else 202)
 */
async function cancel(d: JobRoutesDeps, req: Request, res: Response): Promise<void> {
  const gone = clientGone(res);
  const id = String(req.params.id);
  await ownJob(d, id, String(res.locals.owner));
  const outcome = await d.store.cancel(id);
  d.log.info({ jobId: id, outcome }, 'job cancel asked');
  if (outcome === 'finished')
    throw new ApiError('JOB_FINISHED', undefined, { status: (await d.store.get(id))?.status });
  if (outcome === 'missing') throw new ApiError('NOT_FOUND');
  if (outcome === 'cancelled') {
    // it will never run: a worker that takes it finds it cancelled; this just tidies the queue
    await d.queue.remove(id).catch(() => undefined);
    return void res.json(publicView((await d.store.get(id)) as StoredJob));
  }
  const view = await waitForEnd(d, id, String(res.locals.owner), gone, CANCEL_WAIT_MS);
  if (view) return void res.json(view);
  res.status(202).json(publicView((await d.store.get(id)) as StoredJob));
}

/** ?wait=true: 200 with the job when it ends within waitMs, else 202 with its status now */
async function createAndWait(
  d: JobRoutesDeps,
  res: Response,
  { request, runtime }: CheckedRequest,
  gone: AbortSignal,
  options: SubmitOptions,
): Promise<void> {
  const { id, f } = await submitFollowed(
    d,
    String(res.locals.owner),
    request,
    runtime,
    { gone, boundMs: d.waitMs },
    options,
  );
  res.set('Location', `/v1/jobs/${id}`);
  const view = await resultOf(f);
  if (view) return void res.status(200).json(view);
  if (gone.aborted) return;
  res.status(202).json({ id, status: (await d.store.get(id))?.status ?? 'queued' });
}
