/**
 * /v1/jobs: create (202, or 200 with ?wait=true when it ends within the bound), read,
 * cancel. A job is visible only to the key that created it: another key's is a 404.
 */
import crypto from 'node:crypto';
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { publicView } from '@codebox/jobs';
import type { JobStore, QueuedJob, RedisConnection, StoredJob } from '@codebox/jobs';
import { ApiError, checkJobRequest, jobError } from '@codebox/protocol';
import type { JobRequest, JobView, RuntimeInfo } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { clientGone, follow } from '../jobs/follow.js';
import type { Follower } from '../jobs/follow.js';
import type { StreamLimiter } from '../streams.js';

export interface JobRoutesDeps {
  readonly redis: RedisConnection;
  readonly store: JobStore;
  readonly queue: Queue<QueuedJob>;
  readonly catalog: CatalogReader;
  readonly queueMax: number;
  readonly waitMs: number;
  readonly bodyLimitBytes: number;
  readonly limiter: StreamLimiter;
  readonly rateLimit: (req: Request, res: Response, next: (err?: unknown) => void) => void;
  /** the key's rate, for routes that create several jobs or none through Express */
  readonly rateCheck: (owner: string, jobs?: number) => Promise<void>;
  readonly log: Logger;
}

/** how long DELETE waits for a running job's box to be gone before answering 202 */
const CANCEL_WAIT_MS = 10_000;

export function jobRoutes(d: JobRoutesDeps): Router {
  const r = Router();

  // the body is parsed here only: after the key and its rate are checked, never elsewhere
  const json = express.json({ limit: d.bodyLimitBytes, type: 'application/json' });
  r.post('/v1/jobs', d.rateLimit, json, async (req, res) => {
    const gone = clientGone(res);
    if (!req.is('application/json')) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the job as JSON, with Content-Type: application/json');
    const { run, compile, runtimes } = await d.catalog.maxima();
    const { request, runtime } = checkJobRequest(req.body, { runtimes, maxima: { run, compile } });
    const owner = String(res.locals.owner);
    if (req.query.wait === 'true' || req.query.wait === '1') {
      // the follower's slot first: past the key's share of waits, no job is made
      const { id, f } = followNew(d, owner, gone, d.waitMs);
      await submitJob(d, owner, request, runtime, { id }).catch((err: unknown) => {
        f.end();
        throw err;
      });
      res.set('Location', `/v1/jobs/${id}`);
      const view = await resultOf(f);
      if (view) return void res.status(200).json(view);
      if (gone.aborted) return;
      return void res.status(202).json({ id, status: (await d.store.get(id))?.status ?? 'queued' });
    }
    const id = await submitJob(d, owner, request, runtime);
    res.set('Location', `/v1/jobs/${id}`);
    res.status(202).json({ id, status: 'queued' });
  });

  r.get('/v1/jobs/:id', async (req, res) => {
    res.json(publicView(await ownJob(d, req.params.id, res)));
  });

  r.delete('/v1/jobs/:id', async (req, res) => {
    const gone = clientGone(res);
    const id = req.params.id;
    await ownJob(d, id, res);
    const outcome = await d.store.cancel(id);
    d.log.info({ jobId: id, outcome }, 'job cancel asked');
    if (outcome === 'finished') throw new ApiError('JOB_FINISHED', undefined, { status: (await d.store.get(id))?.status });
    if (outcome === 'missing') throw new ApiError('NOT_FOUND');
    if (outcome === 'cancelled') {
      // it will never run: a worker that takes it finds it cancelled; this just tidies the queue
      await d.queue.remove(id).catch(() => undefined);
      return void res.json(publicView((await d.store.get(id)) as StoredJob));
    }
    const view = await waitForEnd(d, id, String(res.locals.owner), gone, CANCEL_WAIT_MS);
    if (view) return void res.json(view);
    res.status(202).json(publicView((await d.store.get(id)) as StoredJob));
  });

  return r;
}

/**
 * Queues a checked request as a new job of `owner`: 503 past the queue bound, and a job
 * that could not be queued is recorded as failed, never left queued. Returns its id.
 */
export async function submitJob(
  d: Pick<JobRoutesDeps, 'store' | 'queue' | 'queueMax' | 'log'>,
  owner: string,
  request: JobRequest,
  runtime: RuntimeInfo,
  options: { interactive?: boolean; id?: string } = {},
): Promise<string> {
  const waiting = await d.queue.getWaitingCount();
  if (waiting >= d.queueMax) throw new ApiError('QUEUE_FULL', `the queue is full (${waiting} waiting)`, { waiting, max: d.queueMax }, 1);
  const id = options.id ?? crypto.randomUUID();
  await d.store.create(id, owner, runtime.id, runtime.version);
  try {
    await d.queue.add('run', { id, runtime: runtime.id, request, acceptedAt: Date.now(), ...(options.interactive ? { interactive: true } : {}) }, { jobId: id });
  } catch (err) {
    await d.store.finish(id, 'failed', 'queued', { error: jobError('UNAVAILABLE', (err as Error).message) }).catch(() => undefined);
    throw new ApiError('UNAVAILABLE', `the job could not be queued: ${(err as Error).message}`, undefined, 1);
  }
  d.log.info({ jobId: id, owner, language: runtime.id, judge: request.tests !== undefined, interactive: options.interactive === true }, 'job queued');
  return id;
}

/** the job, if it exists and belongs to this request's key */
export async function ownJob(d: Pick<JobRoutesDeps, 'store'>, id: string | undefined, res: Response): Promise<StoredJob> {
  const job = id && /^[0-9a-f-]{36}$/.test(id) ? await d.store.get(id) : undefined;
  if (!job || job.owner !== res.locals.owner) throw new ApiError('NOT_FOUND', `no job ${id}`);
  return job;
}

/** a follower for a job about to be made: its id and its slot, taken before the job exists */
export function followNew(d: Pick<JobRoutesDeps, 'redis' | 'store' | 'limiter'>, owner: string, gone: AbortSignal, boundMs: number): { id: string; f: Follower } {
  const id = crypto.randomUUID();
  return { id, f: follow(d, id, owner, gone, boundMs) };
}

/** the job's view from its `result` event, or undefined when the follower ends first */
export async function resultOf(f: Follower): Promise<JobView | undefined> {
  try {
    let after = '0';
    while (!f.ended) {
      for (const e of await f.read(after, 5_000)) {
        after = e.id;
        if (e.event.type === 'result') return e.event.data;
      }
    }
    return undefined;
  } finally {
    f.end();
  }
}

/** follows the job's events until its `result` event, for at most ms; undefined past it */
export async function waitForEnd(d: Pick<JobRoutesDeps, 'redis' | 'store' | 'limiter'>, id: string, owner: string, gone: AbortSignal, ms: number): Promise<JobView | undefined> {
  return resultOf(follow(d, id, owner, gone, ms));
}
