/**
 * Judge0 CE 1.13 under a prefix (CODEBOX_JUDGE0_PREFIX, default /judge0), on the same
 * queue and workers: submissions (one, batch, wait, fields, base64, callbacks,
 * additional_files; JSON, or one as a form), languages with Judge0's ids, statuses and
 * what Judge0 says of itself (info.ts), and its authenticate and authorize. Errors
 * in Judge0's shapes: 422 {attr: [messages]}, 400/503 {error} (errors.ts). Keys: Judge0's
 * X-Auth-Token header, or a bearer, when the server has keys.
 */
import type http from 'node:http';
import express, { Router } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { clientGone, followNew, resultOf } from '../jobs/index.js';
import { createSubmission } from './create.js';
import type { CreateDeps } from './create.js';
import { JUDGE0_ERRORS, judge0Errors, refuse } from './errors.js';
import type { Judge0Error } from './errors.js';
import { infoRoutes } from './info.js';
import type { InfoDeps } from './info.js';
import { judge0Runtimes } from './runtimes.js';
import { ownSubmission } from './submissions.js';
import { ConversionError, JUDGE0_LIMITS, MAX_BATCH, parseFields, renderSubmission } from './wire/index.js';

/** a job's own limits are at most 20 s of wall time per run; this covers queueing */
const WAIT_MARGIN_MS = 60_000;
/** wait=true holds the request for the longest a submission may take: every run at its longest */
const WAIT_BOUND_MS = JUDGE0_LIMITS.number_of_runs[1] * JUDGE0_LIMITS.wall_time_limit[1] * 1000 + WAIT_MARGIN_MS;

export interface Judge0RoutesDeps extends CreateDeps, InfoDeps {
  /** the least time wait=true waits for a submission's end */
  readonly waitMs: number;
  /** the key's rate, as middleware for a route that creates one job */
  readonly rateLimit: RequestHandler;
  /** the key's rate, for a batch: counts `jobs` new jobs, throws RATE_LIMITED past it */
  readonly rateCheck: (owner: string, jobs?: number) => Promise<void>;
  readonly prefix: string;
  readonly authenticate: RequestHandler;
}

export function judge0Routes(d: Judge0RoutesDeps): Router {
  const r = Router();
  const p = d.prefix;
  r.use(p, xAuthToken, d.authenticate);
  r.use(infoRoutes(d));
  const json = express.json({ limit: d.bodyLimitBytes, type: (req) => !isForm(req) });
  // Rails takes a form's fields as it takes JSON's (its params): one submission, as text
  const form = express.urlencoded({ limit: d.bodyLimitBytes, extended: false, type: isForm });
  r.post(`${p}/submissions/batch`, json, (req, res) => createBatch(d, req, res));
  r.get(`${p}/submissions/batch`, (req, res) => getBatch(d, req, res));
  r.post(`${p}/submissions`, d.rateLimit, form, json, (req, res) => create(d, req, res));
  r.get(`${p}/submissions/:token`, (req, res) => getOne(d, req, res));
  // Judge0 lets only holders of an authorization token (AUTHZ_TOKEN, none by default) list,
  // delete or authorize: without one, each is a bare 403, as here, where there is none
  r.get(`${p}/submissions`, forbidden);
  r.delete(`${p}/submissions/:token`, forbidden);
  r.post(`${p}/authorize`, forbidden);
  // a key that got this far is a good one: Judge0's authenticate says so with a bare 200
  r.post(`${p}/authenticate`, (_req, res) => void res.status(200).end());
  r.use(p, judge0Errors);
  return r;
}

const isForm = (req: http.IncomingMessage): boolean =>
  /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '');

function forbidden(_req: Request, res: Response): void {
  res.status(403).end();
}

/** Judge0 clients send their key as X-Auth-Token: as a bearer, unless one is there */
function xAuthToken(req: Request, _res: Response, next: NextFunction): void {
  const token = req.get('x-auth-token');
  if (token && !req.get('authorization')) req.headers.authorization = `Bearer ${token}`;
  next();
}

const ownerOf = (res: Response): string => String(res.locals.owner);
const base64Of = (req: Request): boolean => req.query.base64_encoded === 'true';
const queueFull = async (d: Judge0RoutesDeps, jobs: number): Promise<boolean> =>
  (await d.queue.getWaitingCount()) + jobs > d.queueMax;
const batchProblem = (n: number): Judge0Error | undefined =>
  n === 0 ? JUDGE0_ERRORS.emptyBatch : n > MAX_BATCH ? JUDGE0_ERRORS.batchTooLarge : undefined;

/** POST /submissions: 201 {token}, or with wait=true the submission once its job has ended */
async function create(d: Judge0RoutesDeps, req: Request, res: Response): Promise<void> {
  const gone = clientGone(res);
  const fields = parseFields(req.query.fields);
  if ('invalid' in fields) return refuse(res, JUDGE0_ERRORS.invalidFields(fields.invalid));
  if (await queueFull(d, 1)) return refuse(res, JUDGE0_ERRORS.queueFull);
  const base64 = base64Of(req);
  if (req.query.wait === 'true') return createAndWait(d, req.body, res, { fields: fields.fields, base64, gone });
  const made = await createSubmission(d, req.body, ownerOf(res), base64);
  if ('errors' in made) return void res.status(422).json(made.errors);
  res.status(201).json({ token: made.token });
}

/**
 * wait=true: the waiter's slot before the job (past the key's share, no job is made), then
 * the submission as it ended
 */
async function createAndWait(
  d: Judge0RoutesDeps,
  body: unknown,
  res: Response,
  o: { fields: string[]; base64: boolean; gone: AbortSignal },
): Promise<void> {
  const owner = ownerOf(res);
  const { id, f } = followNew(d, owner, o.gone, Math.max(d.waitMs, WAIT_BOUND_MS));
  let made;
  try {
    made = await createSubmission(d, body, owner, o.base64, id);
  } catch (err) {
    f.end();
    throw err;
  }
  if ('errors' in made) {
    f.end();
    return void res.status(422).json(made.errors);
  }
  const view = await resultOf(f);
  if (o.gone.aborted) return;
  try {
    res
      .status(201)
      .json(
        renderSubmission(made.submission, view ?? (await d.store.get(made.token)), made.runtime, o.fields, o.base64),
      );
  } catch (err) {
    if (!(err instanceof ConversionError)) throw err;
    res.status(201).json({ error: JUDGE0_ERRORS.notUtf8[1], token: made.token });
  }
}

/** POST /submissions/batch: each submission's token or errors, in order; 201 when any was made */
async function createBatch(d: Judge0RoutesDeps, req: Request, res: Response): Promise<void> {
  const base64 = base64Of(req);
  const list = (req.body as { submissions?: unknown })?.submissions;
  const n = Array.isArray(list) ? list.length : 0;
  const problem = batchProblem(n);
  if (problem) return refuse(res, problem);
  if (await queueFull(d, n)) return refuse(res, JUDGE0_ERRORS.queueFull);
  const owner = ownerOf(res);
  await d.rateCheck(owner, n); // each submission is a job
  const out: object[] = [];
  for (const body of list as unknown[]) {
    const made = await createSubmission(d, body, owner, base64);
    out.push('errors' in made ? made.errors : { token: made.token });
  }
  res.status(out.some((o) => 'token' in o) ? 201 : 422).json(out);
}

/** GET /submissions/:token */
async function getOne(d: Judge0RoutesDeps, req: Request, res: Response): Promise<void> {
  const fields = parseFields(req.query.fields);
  if ('invalid' in fields) return refuse(res, JUDGE0_ERRORS.invalidFields(fields.invalid));
  const found = await ownSubmission(d, String(req.params.token), ownerOf(res));
  if (!found) return refuse(res, JUDGE0_ERRORS.notFound);
  try {
    res.json(
      renderSubmission(
        found.s,
        found.view,
        (await judge0Runtimes(d.catalog)).get(found.s.language_id),
        fields.fields,
        base64Of(req),
      ),
    );
  } catch (err) {
    if (!(err instanceof ConversionError)) throw err;
    refuse(res, JUDGE0_ERRORS.notUtf8);
  }
}

/** GET /submissions/batch?tokens=…: each submission, or null for one that is not there (or not this key's) */
async function getBatch(d: Judge0RoutesDeps, req: Request, res: Response): Promise<void> {
  const fields = parseFields(req.query.fields);
  if ('invalid' in fields) return refuse(res, JUDGE0_ERRORS.invalidFields(fields.invalid));
  const raw = (typeof req.query.tokens === 'string' ? req.query.tokens : req.get('tokens')) ?? '';
  const tokens = raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const problem = batchProblem(tokens.length);
  if (problem) return refuse(res, problem);
  const owner = ownerOf(res);
  const ids = await judge0Runtimes(d.catalog);
  try {
    const submissions = await Promise.all(
      tokens.map(async (t) => {
        const found = await ownSubmission(d, t, owner);
        return found
          ? renderSubmission(found.s, found.view, ids.get(found.s.language_id), fields.fields, base64Of(req))
          : null;
      }),
    );
    res.json({ submissions });
  } catch (err) {
    if (!(err instanceof ConversionError)) throw err;
    refuse(res, JUDGE0_ERRORS.notUtf8Batch);
  }
}
