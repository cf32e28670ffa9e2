/**
 * /v1/sessions/:id/contexts: code contexts, interpreters in the session's box that keep
 * their variables between cells (the worker's sessions/contexts.ts). A cell's events come
 * from the worker as JSON lines; the client gets them as Server-Sent Events, one per event
 * and then `done`, or all at once with ?wait=true.
 *
 * In a cell's event stream `error` is the cell's own exception ({name, message, traceback});
 * a failure of the call itself once the stream is open (its session lost, say) is `fail`
 * ({code, message}), so a client never takes one for the other.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { SessionCall } from '@codebox/jobs';
import { ApiError, checkCellRequest, checkContextRequest } from '@codebox/protocol';
import type { CellEventJson, CellRunJson } from '@codebox/protocol';
import { keepAlive, openEventStream, write } from '../sse.js';
import { callValue, frameError, liveSession, startCall } from './service.js';
import type { SessionServiceDeps } from './service.js';

export interface ContextRoutesDeps extends SessionServiceDeps {
  readonly rateLimit: RequestHandler;
  /** the JSON body parser, and the check that a body is JSON */
  readonly json: RequestHandler;
  readonly needJson: (req: Request) => void;
}

export function contextRoutes(r: Router, d: ContextRoutesDeps): void {
  const owner = (res: Response): string => String(res.locals.owner);
  const session = (req: Request, res: Response) => liveSession(d, String(req.params.id), owner(res));
  const cid = (req: Request): string => String(req.params.cid);

  r.post('/v1/sessions/:id/contexts', d.rateLimit, d.json, async (req, res) => {
    d.needJson(req);
    const { language } = checkContextRequest(req.body);
    res.status(201).json(await callValue(d, await session(req, res), 'context-create', { language }));
  });
  r.get('/v1/sessions/:id/contexts', async (req, res) => {
    res.json(await callValue(d, await session(req, res), 'contexts', null));
  });
  r.delete('/v1/sessions/:id/contexts/:cid', async (req, res) => {
    await callValue(d, await session(req, res), 'context-delete', { cid: cid(req) });
    res.status(204).end();
  });
  r.post('/v1/sessions/:id/contexts/:cid/interrupt', async (req, res) => {
    res.json(await callValue(d, await session(req, res), 'context-interrupt', { cid: cid(req) }));
  });
  r.post('/v1/sessions/:id/contexts/:cid/restart', async (req, res) => {
    res.json(await callValue(d, await session(req, res), 'context-restart', { cid: cid(req) }));
  });

  r.post('/v1/sessions/:id/contexts/:cid/run', d.rateLimit, d.json, async (req, res) => {
    d.needJson(req);
    const { code } = checkCellRequest(req.body);
    const call = await startCall(d, await session(req, res), 'context-run', { cid: cid(req), code });
    try {
      if (req.query.wait === 'true' || req.query.wait === '1') return void res.json(await awaitedCell(call));
      await streamedCell(call, res);
    } finally {
      call.close();
    }
  });
}

/** a cell's frames as its events (JSON lines on the body channel, in frames of any cut), then its end */
async function* cellFrames(
  call: SessionCall,
): AsyncGenerator<{ kind: 'start' } | { kind: 'event'; event: CellEventJson } | { kind: 'done'; value: unknown }> {
  // a character may be cut between two frames; a large event (a plot) spans many, so each
  // frame's text is looked through once, not the whole line again
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  for (let f = await call.next(); f; f = await call.next()) {
    if (f.kind === 'error') throw frameError(f);
    if (f.kind === 'event') yield { kind: 'start' };
    else if (f.kind === 'data') {
      const text = decoder.write(f.bytes);
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        parts.push(text.slice(from, nl));
        const line = parts.join('');
        parts.length = 0;
        from = nl + 1;
        yield { kind: 'event', event: parseEvent(line) };
      }
      if (from < text.length) parts.push(text.slice(from));
    } else if (f.kind === 'end') {
      yield { kind: 'done', value: f.value };
      return;
    }
  }
  throw new ApiError('INTERNAL', 'the cell ended without an answer');
}

async function awaitedCell(call: SessionCall): Promise<CellRunJson> {
  const events: CellEventJson[] = [];
  for await (const f of cellFrames(call)) {
    if (f.kind === 'event') events.push(f.event);
    if (f.kind === 'done') return { events, ...(f.value as Omit<CellRunJson, 'events'>) };
  }
  throw new ApiError('INTERNAL', 'the cell ended without an answer');
}

/** Server-Sent Events: start, then each event by its type (stdout, stderr, result, display, error), then done */
async function streamedCell(call: SessionCall, res: Response): Promise<void> {
  const frames = cellFrames(call);
  // the first frame (the cell's start) or the call's refusal, as an HTTP answer
  const first = await frames.next();
  openEventStream(res);
  const stopKeepalive = keepAlive(res);
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const send = (event: string, data: unknown): Promise<boolean> =>
    write(res, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`, gone.signal);
  try {
    for (let f = first; !f.done; f = await frames.next()) {
      const v = f.value;
      const ok =
        v.kind === 'start'
          ? await send('start', {})
          : v.kind === 'event'
            ? await send(v.event.type, withoutType(v.event))
            : await send('done', v.value);
      if (!ok) return;
    }
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError('INTERNAL');
    await send('fail', { code: e.code, message: e.message });
  } finally {
    stopKeepalive();
    if (!res.writableEnded) res.end();
  }
}

function parseEvent(line: string): CellEventJson {
  try {
    return JSON.parse(line) as CellEventJson;
  } catch {
    // the worker writes each line whole from an event it made: anything else is ours to fix
    throw new ApiError('INTERNAL', 'a cell event came malformed from the worker');
  }
}

function withoutType(e: CellEventJson): Omit<CellEventJson, 'type'> {
  const { type: _type, ...rest } = e;
  return rest;
}
