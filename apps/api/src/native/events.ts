/**
 * GET /v1/jobs/:id/events — Server-Sent Events: the job's `status`, `stdout`, `stderr`
 * and, last, `result` events, each with the stream entry's id. A client that drops sends
 * Last-Event-ID (or ?lastEventId=) and gets what came after it. The stream ends after
 * `result`; a comment line every 15 s keeps proxies from closing an idle one.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { isStreamId } from '@codebox/jobs';
import type { StoredEvent } from '@codebox/jobs';
import { FINAL_STATUSES } from '@codebox/protocol';
import { clientGone, follow, ownJob } from '../jobs/index.js';
import type { Follower, JobServiceDeps } from '../jobs/index.js';
import { openEventStream, SSE_KEEPALIVE_MS } from '../sse.js';

const EVENT_ID = /^\d+-\d+$/;

type EventDeps = Pick<JobServiceDeps, 'streams' | 'store' | 'limiter'>;

export function eventRoutes(d: EventDeps): Router {
  const r = Router();
  r.get('/v1/jobs/:id/events', async (req, res) => {
    const gone = clientGone(res); // before any await: a client may leave during the first
    const id = req.params.id;
    const owner = String(res.locals.owner);
    await ownJob(d, id, owner);
    const f = follow(d, id, owner, gone);
    if (f.ended) return;
    openEventStream(res);
    try {
      await pump(d, id, f, res, resumedAfter(req));
    } finally {
      f.end();
      if (!res.writableEnded) res.end();
    }
  });
  return r;
}

/** the event id the client last had, or '0' for the start */
function resumedAfter(req: Request): string {
  const asked =
    req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
  // an id past Redis's 64 bits is no id it gave: from the start, as for any other
  return asked && EVENT_ID.test(asked) && isStreamId(asked) ? asked : '0';
}

/** writes the job's events after `after` until its `result`, or until the follower ends */
async function pump(d: EventDeps, id: string, f: Follower, res: Response, after: string): Promise<void> {
  const send = (events: StoredEvent[]): boolean => {
    for (const e of events) {
      after = e.id;
      res.write(`id: ${e.id}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e.event.data)}\n\n`);
    }
    return events.some((e) => e.event.type === 'result');
  };
  while (!f.ended) {
    const events = await f.read(after, SSE_KEEPALIVE_MS);
    if (f.ended) return;
    if (events.length > 0) {
      if (send(events)) return;
      continue;
    }
    // nothing new in a while: a job that is over (or gone) may have ended just after the
    // read gave up, so what it wrote is read once more before the stream ends
    const job = await d.store.get(id);
    if (!job || FINAL_STATUSES.has(job.status)) return void send(await f.readNow(after));
    res.write(': keepalive\n\n');
  }
}
