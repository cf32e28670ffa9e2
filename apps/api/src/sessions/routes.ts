/**
 * /v1/sessions: create, read, keep alive, end; commands (streamed as SSE, awaited with
 * ?wait=true, or in the background) and background processes; files (raw bytes), listings
 * and tar archives of the workspace. A session is visible only to the key that made it.
 * Every call reaches the session's worker through Redis (service.ts); every byte either
 * way moves under the transport's window, read from and written to HTTP only as fast as
 * the other end takes it.
 */
import express, { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import type { ReplyFrame, SessionCall } from '@codebox/jobs';
import { ApiError, checkCommandRequest, checkWorkspacePath, encodeOutput } from '@codebox/protocol';
import type { CommandExit, CommandResultJson } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { callValue, createSession, frameError, liveSession, startCall, valueOf, viewOf } from './service.js';
import type { SessionServiceDeps } from './service.js';
import { keepAlive, openEventStream, write } from '../sse.js';
import { contextRoutes } from './contexts.js';

export interface SessionRoutesDeps extends SessionServiceDeps {
  readonly catalog: CatalogReader;
  readonly bodyLimitBytes: number;
  /** the key's rate, as middleware for a route that makes a session or runs a command */
  readonly rateLimit: RequestHandler;
}

export function sessionRoutes(d: SessionRoutesDeps): Router {
  const r = Router();
  const json = express.json({ limit: d.bodyLimitBytes, type: 'application/json' });
  const owner = (res: Response): string => String(res.locals.owner);
  const needJson = (req: Request): void => {
    if (!req.is('application/json'))
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send it as JSON, with Content-Type: application/json');
  };

  r.post('/v1/sessions', d.rateLimit, json, async (req, res) => {
    needJson(req);
    const view = await createSession(d, owner(res), req.body);
    res.set('Location', `/v1/sessions/${view.id}`).status(201).json(view);
  });
  r.get('/v1/sessions/:id', async (req, res) => void res.json(await viewOf(d, String(req.params.id), owner(res))));
  r.post(
    '/v1/sessions/:id/keepalive',
    async (req, res) => void res.json(await viewOf(d, String(req.params.id), owner(res), 'keepalive')),
  );
  r.delete('/v1/sessions/:id', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    await callValue(d, record, 'close', null);
    res.json(await viewOf(d, record.id, owner(res)));
  });

  r.post('/v1/sessions/:id/commands', d.rateLimit, json, async (req, res) => {
    needJson(req);
    const record = await liveSession(d, String(req.params.id), owner(res));
    const policy = (await d.catalog.read()).sessions;
    if (!policy) throw new ApiError('UNAVAILABLE', 'no live worker holds sessions', undefined, 1);
    const command = checkCommandRequest(req.body, policy);
    const { stdin, stdinEncoding, ...rest } = command;
    const call = await startCall(d, record, 'exec', { ...rest, hasStdin: stdin !== undefined });
    try {
      if (stdin !== undefined) {
        await call.send('stdin', Buffer.from(stdin, stdinEncoding === 'base64' ? 'base64' : 'utf8'));
        await call.eof('stdin');
      }
      if (command.background) return void res.status(201).json(await valueOf(call));
      if (req.query.wait === 'true' || req.query.wait === '1') return void res.json(await awaited(call));
      await streamed(call, res);
    } finally {
      call.close();
    }
  });

  r.get('/v1/sessions/:id/processes', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    res.json(await callValue(d, record, 'processes', null));
  });
  r.get('/v1/sessions/:id/processes/:pid', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    const after = req.query.after === undefined ? 0 : wholeNumber(req.query.after, 'after');
    res.json(await callValue(d, record, 'process', { pid: wholeNumber(req.params.pid, 'pid'), after }));
  });
  r.delete('/v1/sessions/:id/processes/:pid', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    const signal = typeof req.query.signal === 'string' ? req.query.signal : undefined;
    res.json(
      await callValue(d, record, 'kill', { pid: wholeNumber(req.params.pid, 'pid'), ...(signal ? { signal } : {}) }),
    );
  });

  r.get('/v1/sessions/:id/files', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    const path = queryPath(req);
    const depth = req.query.depth === undefined ? 1 : wholeNumber(req.query.depth, 'depth');
    res.json(await callValue(d, record, 'list', { ...(path ? { path } : {}), depth }));
  });
  r.get('/v1/sessions/:id/files/*path', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    await download(await startCall(d, record, 'read', { path: urlPath(req) }), res, 'application/octet-stream');
  });
  r.put('/v1/sessions/:id/files/*path', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    const path = urlPath(req);
    if (req.query.type === 'dir') {
      await callValue(d, record, 'mkdir', { path });
      return void res.status(201).json({ path, type: 'dir' });
    }
    const policy = (await d.catalog.read()).sessions;
    const max = policy?.fileBytes ?? 0;
    const mode = req.query.mode === undefined ? undefined : octalMode(req.query.mode);
    const ended = await upload(
      await startCall(d, record, 'write', { path, ...(mode === undefined ? {} : { mode }) }),
      req,
      max,
      () => new ApiError('FILE_TOO_LARGE', `${path}: over ${max} bytes`, { path, maximum: max }),
    );
    res.status(201).json(ended);
  });
  r.delete('/v1/sessions/:id/files/*path', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    await callValue(d, record, 'remove', { path: urlPath(req) });
    res.status(204).end();
  });

  r.get('/v1/sessions/:id/archive', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    const path = queryPath(req);
    await download(await startCall(d, record, 'download', path ? { path } : {}), res, 'application/x-tar');
  });
  r.put('/v1/sessions/:id/archive', async (req, res) => {
    const record = await liveSession(d, String(req.params.id), owner(res));
    const path = queryPath(req);
    const max = record.limits.workDirBytes;
    await upload(
      await startCall(d, record, 'upload', path ? { path } : {}),
      req,
      max,
      () =>
        new ApiError('WORKSPACE_FULL', `the archive is over the workspace's ${max} bytes`, {
          field: 'body',
          maximum: max,
        }),
    );
    res.status(204).end();
  });
  contextRoutes(r, { ...d, json, needJson });
  return r;
}

/** ?wait=true: the output gathered (the engine keeps at most outputBytes of each), then the end */
async function awaited(call: SessionCall): Promise<CommandResultJson> {
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  for (let f = await call.next(); f; f = await call.next()) {
    if (f.kind === 'error') throw frameError(f);
    if (f.kind === 'data' && (f.channel === 'stdout' || f.channel === 'stderr')) out[f.channel].push(f.bytes);
    if (f.kind === 'end') {
      const stdout = encodeOutput(Buffer.concat(out.stdout));
      const stderr = encodeOutput(Buffer.concat(out.stderr));
      return {
        ...(f.value as CommandExit),
        stdout: stdout.text,
        stderr: stderr.text,
        stdoutEncoding: stdout.encoding,
        stderrEncoding: stderr.encoding,
      };
    }
  }
  throw new ApiError('INTERNAL', 'the command ended without an exit');
}

/** Server-Sent Events: start, stage, stdout, stderr, then exit (or error); a comment now and then while quiet */
async function streamed(call: SessionCall, res: Response): Promise<void> {
  const first = await call.next();
  if (!first) throw new ApiError('INTERNAL', 'the command ended without an exit');
  if (first.kind === 'error') throw frameError(first);
  openEventStream(res);
  const stopKeepalive = keepAlive(res);
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  try {
    for (let f: ReplyFrame | undefined = first; f; f = await call.next()) {
      let event: string;
      let data: unknown;
      if (f.kind === 'data') {
        const { text, encoding } = encodeOutput(f.bytes);
        [event, data] = [f.channel, { data: text, encoding }];
      } else if (f.kind === 'event') {
        const { type, ...rest } = f.value as { type: string };
        [event, data] = [type, rest];
      } else if (f.kind === 'end') [event, data] = ['exit', f.value];
      else [event, data] = ['error', f.error];
      if (!(await write(res, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`, gone.signal))) return;
    }
  } finally {
    stopKeepalive();
    if (!res.writableEnded) res.end();
  }
}

/** a file's or an archive's bytes to the client as they come; an error before the first is the answer */
async function download(call: SessionCall, res: Response, type: string): Promise<void> {
  try {
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    let started = false;
    for (let f = await call.next(); f; f = await call.next()) {
      if (f.kind === 'error') {
        if (!started) throw frameError(f);
        return void res.destroy(); // cut short: the client must not take it for whole
      }
      if (!started) {
        started = true;
        res.status(200).type(type);
      }
      if (f.kind === 'data' && !(await write(res, f.bytes, gone.signal))) return;
      if (f.kind === 'end') return void res.end();
    }
  } finally {
    call.close();
  }
}

/** a request body to a call's input as fast as the worker takes it, then the call's answer */
async function upload(call: SessionCall, req: Request, max: number, tooLarge: () => ApiError): Promise<unknown> {
  try {
    const length = Number(req.get('content-length') ?? 0);
    if (length > max) throw tooLarge();
    let n = 0;
    let sending: Error | undefined;
    try {
      for await (const chunk of req) {
        n += (chunk as Buffer).length;
        if (n > max) throw tooLarge();
        await call.send('body', chunk as Buffer);
      }
      await call.eof('body');
    } catch (err) {
      if (err instanceof ApiError) throw err;
      // the worker ended the call first: its answer says why
      sending = err instanceof Error ? err : new Error(String(err));
    }
    const f = await call.next();
    if (f?.kind === 'error') throw frameError(f);
    if (f?.kind === 'end') return f.value;
    throw sending ?? new ApiError('INTERNAL', 'the call ended without an answer');
  } finally {
    call.close();
  }
}

/**
 * The workspace path after /files/ as the client sent it: each part %-decoded on its own,
 * so an encoded `/` or `..` cannot hide in one, then checked whole (FILE_PATH_INVALID).
 */
function urlPath(req: Request): string {
  const raw = req.originalUrl.split('?')[0] ?? '';
  const at = raw.indexOf('/files/');
  const parts = raw.slice(at + '/files/'.length).split('/');
  const decoded = parts.map((p) => {
    let s: string;
    try {
      s = decodeURIComponent(p);
    } catch {
      throw new ApiError('FILE_PATH_INVALID', 'path: a malformed %-escape', { field: 'path' });
    }
    if (s.includes('/'))
      throw new ApiError('FILE_PATH_INVALID', 'path: a name may not hold an encoded "/"', { field: 'path' });
    return s;
  });
  return checkWorkspacePath(decoded.join('/'), 'path');
}

function queryPath(req: Request): string | undefined {
  const p = req.query.path;
  if (p === undefined || p === '') return undefined;
  if (typeof p !== 'string') throw new ApiError('FILE_PATH_INVALID', 'path: give it once', { field: 'path' });
  return checkWorkspacePath(p, 'path');
}

function wholeNumber(v: unknown, field: string): number {
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v))
    throw new ApiError('INVALID_REQUEST', `${field}: must be a whole number`, { field });
  return Number(v);
}

function octalMode(v: unknown): number {
  if (typeof v !== 'string' || !/^[0-7]{3,4}$/.test(v))
    throw new ApiError('INVALID_REQUEST', 'mode: octal permission bits, e.g. 644 or 755', { field: 'mode' });
  const mode = parseInt(v, 8);
  if (mode > 0o777)
    throw new ApiError('INVALID_REQUEST', 'mode: permission bits only (at most 777)', { field: 'mode' });
  return mode;
}
