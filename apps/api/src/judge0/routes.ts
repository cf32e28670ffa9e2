/**
 * Judge0 CE 1.13 under a prefix (CODEBOX_JUDGE0_PREFIX, default /judge0), on the same
 * queue and workers: submissions (one, batch, wait, fields, base64, callbacks,
 * additional_files), languages with Judge0's ids, statuses, about, config_info. Errors
 * in Judge0's shapes: 422 {attr: [messages]}, 400/503 {error}. Keys: Judge0's
 * X-Auth-Token header, or a bearer, when the server has keys.
 */
import crypto from 'node:crypto';
import express, { Router } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Keys } from '@codebox/jobs';
import { ApiError, checkJobRequest } from '@codebox/protocol';
import type { JobView, RuntimeInfo } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import {
  checkSubmission, configInfo, ConversionError, DEFAULT_FIELDS, JUDGE0_LANGUAGES, JUDGE0_STATUSES, judge0Name, MAX_BATCH, MAX_EXTRACT_KB,
  nativeRequest, parseFields, serialize, submissionRecord,
} from './wire.js';
import type { Errors, Submission } from './wire.js';
import { unzip, ZipError } from './zip.js';
import { clientGone, followNew, resultOf, submitJob } from '../jobs/index.js';
import type { JobServiceDeps } from '../jobs/index.js';
import { judge0Runtimes } from './callbacks.js';
import type { Judge0Callbacks, StoredSubmission } from './callbacks.js';

const RECORD_TTL_S = 86_400;
/** a job's own limits are at most 20 s of wall time per run; this covers queueing */
const WAIT_MARGIN_MS = 60_000;

export interface Judge0RoutesDeps extends JobServiceDeps {
  readonly catalog: CatalogReader;
  /** the least time wait=true waits for a submission's end */
  readonly waitMs: number;
  readonly bodyLimitBytes: number;
  /** the key's rate, as middleware for a route that creates one job */
  readonly rateLimit: RequestHandler;
  /** the key's rate, for a batch: counts `jobs` new jobs, throws RATE_LIMITED past it */
  readonly rateCheck: (owner: string, jobs?: number) => Promise<void>;
  readonly keys: Keys;
  readonly prefix: string;
  readonly authenticate: RequestHandler;
  readonly callbacks: Judge0Callbacks;
}

export function judge0Routes(d: Judge0RoutesDeps): Router {
  const r = Router();
  const p = d.prefix;
  const recordKey = (token: string) => d.keys.judge0Submission(token);
  /** a submission and its job, when both are there and the key is its owner's */
  const load = async (token: string, owner: string): Promise<{ s: Submission; view: JobView } | undefined> => {
    const raw = /^[0-9a-f-]{36}$/.test(token) ? await d.redis.get(recordKey(token)) : null;
    const stored = raw ? (JSON.parse(raw) as StoredSubmission) : undefined;
    if (!stored || stored.owner !== owner) return undefined;
    // the job's record expires resultTtlS after its end: the submission goes with it
    const view = await d.store.get(token);
    return view ? { s: stored.submission, view } : undefined;
  };
  const runtimes = () => judge0Runtimes(d.catalog);

  // Judge0 clients send their key as X-Auth-Token
  r.use(p, (req: Request, _res: Response, next: NextFunction) => {
    const token = req.get('x-auth-token');
    if (token && !req.get('authorization')) req.headers.authorization = `Bearer ${token}`;
    next();
  }, d.authenticate);

  r.get(`${p}/statuses`, (_req, res) => void res.json(JUDGE0_STATUSES));
  r.get(`${p}/about`, (_req, res) =>
    void res.json({ version: '1.13.1', homepage: 'https://judge0.com', source_code: 'https://github.com/judge0/judge0', maintainer: 'codebox (a Judge0 CE 1.13-compatible API)' }),
  );
  r.get(`${p}/config_info`, (_req, res) => void res.json(configInfo(d.queueMax)));
  r.get(`${p}/languages`, async (_req, res) => {
    const ids = await runtimes();
    const active = JUDGE0_LANGUAGES.filter((l) => !l.archived && ids.has(l.id)).map((l) => ({ id: l.id, name: judge0Name(ids.get(l.id) as RuntimeInfo) }));
    res.json(active.sort((a, b) => a.name.localeCompare(b.name)));
  });
  r.get(`${p}/languages/all`, async (_req, res) => {
    const ids = await runtimes();
    res.json([...ids].map(([id, rt]) => ({ id, name: judge0Name(rt), is_archived: JUDGE0_LANGUAGES.find((l) => l.id === id)?.archived === true })).sort((a, b) => a.name.localeCompare(b.name)));
  });
  r.get(`${p}/languages/:id`, async (req, res) => {
    const id = Number(req.params.id);
    const rt = (await runtimes()).get(id);
    if (!rt) return void res.status(404).json({ error: `language with id ${req.params.id} doesn't exist` });
    res.json({
      id,
      name: judge0Name(rt),
      is_archived: JUDGE0_LANGUAGES.find((l) => l.id === id)?.archived === true,
      source_file: rt.sourceFile,
      compile_cmd: rt.compileCommand ? rt.compileCommand.join(' ') : null,
      run_cmd: rt.runCommand ? rt.runCommand.join(' ') : null,
    });
  });

  const json = express.json({ limit: d.bodyLimitBytes, type: () => true });

  /** validates, records and queues one submission: its token, or its errors */
  const createOne = async (body: unknown, owner: string, base64: boolean, token: string = crypto.randomUUID()): Promise<{ token: string; submission: Submission; runtime: RuntimeInfo } | { errors: Errors }> => {
    const ids = await runtimes();
    const checked = checkSubmission(body, base64, new Set(ids.keys()), (url) => d.callbacks.urlProblem(url));
    if ('errors' in checked) return checked;
    const s = checked.submission;
    const runtime = ids.get(s.language_id) as RuntimeInfo;
    if (s.compiler_options && !runtime.compiled) return { errors: { compiler_options: ['setting compiler options is only allowed for compiled languages'] } };
    let extra: { name: string; content: Buffer }[] = [];
    if (s.additional_files) {
      try {
        extra = unzip(Buffer.from(s.additional_files, 'base64'), MAX_EXTRACT_KB * 1024).files;
      } catch (err) {
        if (err instanceof ZipError) return { errors: { additional_files: [`is not a usable zip archive: ${err.message}`] } };
        throw err;
      }
    }
    const request = nativeRequest(s, runtime, extra);
    // runs and an archive multiply what the request holds: the queue keeps it all in Redis
    if (Buffer.byteLength(JSON.stringify(request)) > 4 * d.bodyLimitBytes) {
      return { errors: { base: [`is over ${4 * d.bodyLimitBytes} bytes once its runs and additional files are counted`] } };
    }
    const ctx = await d.catalog.requestContext();
    try {
      checkJobRequest(request, ctx);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) return { errors: { base: [err.message] } };
      throw err;
    }
    const submission: Submission = { token, ...s };
    await d.redis.set(recordKey(token), JSON.stringify({ owner, submission, acceptedAt: Date.now() } satisfies StoredSubmission), 'EX', RECORD_TTL_S);
    try {
      // scheduled before the job exists: a callback is never missing for a job that is
      if (s.callback_url) await d.callbacks.add(token);
      await submitJob(d, owner, request, runtime, { id: token });
    } catch (err) {
      await d.redis.del(recordKey(token)).catch(() => undefined);
      throw err;
    }
    return { token, submission, runtime };
  };

  r.post(`${p}/submissions/batch`, json, async (req, res) => {
    const base64 = req.query.base64_encoded === 'true';
    const list = (req.body as { submissions?: unknown })?.submissions;
    const n = Array.isArray(list) ? list.length : 0;
    if (n === 0) return void res.status(400).json({ error: 'there should be at least one submission in a batch' });
    if (n > MAX_BATCH) return void res.status(400).json({ error: `number of submissions in a batch should be less than or equal to ${MAX_BATCH}` });
    if ((await d.queue.getWaitingCount()) + n > d.queueMax) return void res.status(503).json({ error: 'queue is full' });
    const owner = String(res.locals.owner);
    await d.rateCheck(owner, n); // each submission is a job
    const out: object[] = [];
    for (const body of list as unknown[]) {
      const made = await createOne(body, owner, base64);
      out.push('errors' in made ? made.errors : { token: made.token });
    }
    res.status(out.some((o) => 'token' in o) ? 201 : 422).json(out);
  });

  r.get(`${p}/submissions/batch`, async (req, res) => {
    const fields = parseFields(req.query.fields);
    if ('invalid' in fields) return void res.status(400).json({ error: `invalid fields: [${fields.invalid.join(', ')}]` });
    const raw = (typeof req.query.tokens === 'string' ? req.query.tokens : req.get('tokens')) ?? '';
    const tokens = raw.split(',').map((t) => t.trim()).filter(Boolean);
    if (tokens.length === 0) return void res.status(400).json({ error: 'there should be at least one submission in a batch' });
    if (tokens.length > MAX_BATCH) return void res.status(400).json({ error: `number of submissions in a batch should be less than or equal to ${MAX_BATCH}` });
    const owner = String(res.locals.owner);
    const ids = await runtimes();
    try {
      const submissions = await Promise.all(tokens.map(async (t) => {
        const found = await load(t, owner);
        return found ? serialize(submissionRecord(found.s, found.view, ids.get(found.s.language_id)), fields.fields, req.query.base64_encoded === 'true') : null;
      }));
      res.json({ submissions });
    } catch (err) {
      if (!(err instanceof ConversionError)) throw err;
      res.status(400).json({ error: 'some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter' });
    }
  });

  r.post(`${p}/submissions`, d.rateLimit, json, async (req, res) => {
    const gone = clientGone(res);
    const fields = parseFields(req.query.fields);
    if ('invalid' in fields) return void res.status(400).json({ error: `invalid fields: [${fields.invalid.join(', ')}]` });
    if ((await d.queue.getWaitingCount()) + 1 > d.queueMax) return void res.status(503).json({ error: 'queue is full' });
    const base64 = req.query.base64_encoded === 'true';
    const owner = String(res.locals.owner);
    if (req.query.wait !== 'true') {
      const made = await createOne(req.body, owner, base64);
      return void (('errors' in made) ? res.status(422).json(made.errors) : res.status(201).json({ token: made.token }));
    }
    // the waiter's slot before the job: past the key's share, no job is made
    const { id, f } = followNew(d, owner, gone, Math.max(d.waitMs, 20 * 20_000 + WAIT_MARGIN_MS));
    let made;
    try {
      made = await createOne(req.body, owner, base64, id);
    } catch (err) {
      f.end();
      throw err;
    }
    if ('errors' in made) {
      f.end();
      return void res.status(422).json(made.errors);
    }
    const view = await resultOf(f);
    if (gone.aborted) return;
    const s = made.submission;
    try {
      res.status(201).json(serialize(submissionRecord(s, view ?? (await d.store.get(made.token)), made.runtime), fields.fields, base64));
    } catch (err) {
      if (!(err instanceof ConversionError)) throw err;
      res.status(201).json({ error: 'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter', token: made.token });
    }
  });

  r.get(`${p}/submissions/:token`, async (req, res) => {
    const fields = parseFields(req.query.fields);
    if ('invalid' in fields) return void res.status(400).json({ error: `invalid fields: [${fields.invalid.join(', ')}]` });
    const found = await load(req.params.token, String(res.locals.owner));
    if (!found) return void res.status(404).json({ error: 'submission not found' });
    try {
      res.json(serialize(submissionRecord(found.s, found.view, (await runtimes()).get(found.s.language_id)), fields.fields, req.query.base64_encoded === 'true'));
    } catch (err) {
      if (!(err instanceof ConversionError)) throw err;
      res.status(400).json({ error: 'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter' });
    }
  });

  r.use(p, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof ApiError) {
      if (err.code === 'UNAUTHORIZED') return void res.status(401).end();
      if (err.retryAfterS !== undefined) res.set('Retry-After', String(err.retryAfterS));
      return void res.status(err.status).json({ error: err.code === 'QUEUE_FULL' ? 'queue is full' : err.message });
    }
    const e = err as { type?: string };
    if (e.type === 'entity.parse.failed') return void res.status(400).json({ error: 'the body is not valid JSON' });
    if (e.type === 'entity.too.large') return void res.status(413).json({ error: 'the body is too large' });
    next(err);
  });
  return r;
}
