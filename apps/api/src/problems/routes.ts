/**
 * /v1/problems: store a problem (JSON, or a Polygon or Kattis package as a zip), list a
 * key's problems, read one, delete one or one of its versions. A key sees its own
 * problems only: another's is a 404, as is none.
 */
import crypto from 'node:crypto';
import express, { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ChunksMissingError, ProblemStore } from '@codebox/jobs';
import {
  ApiError,
  checkProblem,
  checkProblemRequest,
  parseProblemRef,
  PROBLEM_ID,
  PROBLEM_REF,
} from '@codebox/protocol';
import type { LimitMaxima, RuntimeInfo } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { StreamLimiter } from '../streams.js';
import { openArchive } from './archive.js';
import type { Archive } from './archive.js';
import { checkable } from './draft.js';
import type { Draft } from './draft.js';
import { fromJson } from './formats/json.js';
import { fromKattis } from './formats/kattis.js';
import { fromPolygon } from './formats/polygon.js';
import { spool } from './spool.js';
import { storeDraft } from './store.js';
import { problemView } from './view.js';

/** package uploads in flight: each is spooled to disk; one key takes half of them at most */
export function packageUploads(max: number): StreamLimiter {
  return new StreamLimiter(max, Math.max(1, Math.floor(max / 2)), 'package uploads in flight');
}

export interface ProblemRoutesDeps {
  readonly problems: ProblemStore;
  readonly catalog: CatalogReader;
  readonly bodyLimitBytes: number;
  readonly problemMaxBytes: number;
  /** one key's stored problems, every version in full (0: no quota) */
  readonly problemKeyBytes?: number;
  /** the key's rate, as for a route that creates a job */
  readonly rateLimit: RequestHandler;
  /** package uploads in flight: each is spooled to a temp file up to problemMaxBytes */
  readonly uploads: StreamLimiter;
  readonly log: Logger;
}

const ID = new RegExp(PROBLEM_ID);
const REF = new RegExp(PROBLEM_REF);

export function problemRoutes(d: ProblemRoutesDeps): Router {
  const r = Router();
  const json = express.json({ limit: d.bodyLimitBytes, type: 'application/json' });

  r.post('/v1/problems', d.rateLimit, async (req, res, next) => {
    if (req.is('application/json'))
      return json(req, res, (err?: unknown) => (err ? next(err) : void store(d, req, res).catch(next)));
    if (req.is('application/zip') || req.is('application/x-zip-compressed')) return storeArchive(d, req, res);
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send a problem as JSON (application/json) or a Polygon or Kattis package as a zip (application/zip)',
    );
  });

  r.get('/v1/problems', async (_req, res) => {
    const owner = String(res.locals.owner);
    const views = [];
    for (const id of await d.problems.list(owner)) {
      const latest = await d.problems.get(owner, id);
      if (latest) views.push(problemView(latest, await d.problems.versions(owner, id)));
    }
    res.json({ problems: views });
  });

  r.get('/v1/problems/:ref', async (req, res) => {
    const owner = String(res.locals.owner);
    const { id, version } = ref(req);
    const problem = await d.problems.get(owner, id, version);
    if (!problem) throw notFound(String(req.params.ref));
    res.json(problemView(problem, await d.problems.versions(owner, id)));
  });

  r.delete('/v1/problems/:ref', async (req, res) => {
    const owner = String(res.locals.owner);
    const { id, version } = ref(req);
    const deleted = await d.problems.delete(owner, id, version);
    if (deleted.length === 0) throw notFound(String(req.params.ref));
    d.log.info({ owner, problem: id, deleted }, 'problem deleted');
    res.json({ deleted });
  });
  return r;
}

async function store(d: ProblemRoutesDeps, req: Request, res: Response): Promise<void> {
  const ctx = await context(d);
  const request = checkProblemRequest(req.body, ctx);
  await commit(d, res, request.id ?? newId(), fromJson(request), undefined);
}

/** a package, counted while in flight (its temp file is disk): spooled, then read, translated, stored */
async function storeArchive(d: ProblemRoutesDeps, req: Request, res: Response): Promise<void> {
  const asked = typeof req.query.id === 'string' ? req.query.id : undefined;
  if (asked !== undefined && !ID.test(asked))
    throw new ApiError('INVALID_REQUEST', `id: must match ${PROBLEM_ID}`, { field: 'id' });
  let release: () => void;
  try {
    // counted before a byte is spooled: each upload in flight holds a temp file up to problemMaxBytes
    release = d.uploads.acquire(String(res.locals.owner));
  } catch (err) {
    // its body is never read: a client must not send its next request on this connection
    res.set('Connection', 'close');
    throw err;
  }
  try {
    await storeSpooled(d, req, res, asked);
  } finally {
    release();
  }
}

/** spooled to a file (a zip is read from its end), read, translated, stored; the file removed on every path */
async function storeSpooled(
  d: ProblemRoutesDeps,
  req: Request,
  res: Response,
  asked: string | undefined,
): Promise<void> {
  const ctx = await context(d);
  const spooled = await spool(req, d.problemMaxBytes).catch((err: unknown) => {
    // the rest of the upload is never read: a client must not send its next request on this connection
    res.set('Connection', 'close');
    throw err;
  });
  let archive: Archive | undefined;
  try {
    archive = openArchive(spooled.path);
    const draft = await translate(archive, ctx.runtimes);
    checkProblem(checkable(draft), ctx);
    await commit(d, res, asked ?? newId(), draft, archive);
  } finally {
    archive?.close();
    spooled.remove();
  }
}

/** Polygon (problem.xml) or Kattis (problem.yaml), by what is at the package's root */
async function translate(archive: Archive, runtimes: readonly RuntimeInfo[]): Promise<Draft> {
  const pkg = {
    names: [...archive.files.keys()],
    has: (name: string) => archive.files.has(name),
    text: (name: string) => archive.text(name),
  };
  if (pkg.has('problem.xml')) return fromPolygon(pkg, runtimes);
  if (pkg.has('problem.yaml')) return fromKattis(pkg, runtimes);
  throw new ApiError(
    'INVALID_REQUEST',
    'archive: has neither problem.xml (a Polygon package) nor problem.yaml (a Kattis problem directory) at its root',
    { field: 'archive' },
  );
}

async function commit(
  d: ProblemRoutesDeps,
  res: Response,
  id: string,
  draft: Draft,
  archive: Archive | undefined,
): Promise<void> {
  const owner = String(res.locals.owner);
  let stored;
  try {
    stored = await storeDraft(d.problems, owner, id, draft, archive, d.problemMaxBytes, d.problemKeyBytes);
  } catch (err) {
    if (err instanceof ChunksMissingError)
      throw new ApiError('UNAVAILABLE', `${err.message} (a delete freed data this upload found stored)`, undefined, 1);
    throw err;
  }
  d.log.info(
    { owner, problem: id, version: stored.version, format: draft.format, bytes: stored.bytes },
    'problem stored',
  );
  res.set('Location', `/v1/problems/${id}@${stored.version}`);
  res.status(201).json(problemView(stored, await d.problems.versions(owner, id)));
}

async function context(d: ProblemRoutesDeps): Promise<{ runtimes: readonly RuntimeInfo[]; maxima: LimitMaxima }> {
  const ctx = await d.catalog.requestContext();
  return { runtimes: ctx.runtimes, maxima: ctx.maxima.run };
}

function ref(req: Request): { id: string; version?: number } {
  const given = String(req.params.ref);
  if (!REF.test(given)) throw notFound(given);
  return parseProblemRef(given);
}

function newId(): string {
  return `p-${crypto.randomBytes(6).toString('hex')}`;
}

function notFound(ref: string): ApiError {
  return new ApiError('NOT_FOUND', `no problem ${ref}`);
}
