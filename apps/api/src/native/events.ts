/**
 * GET /v1/jobs/:id/events — Server-Sent Events: the job's `status`, `stdout`, `stderr`
 * and, last, `result` events, each with the stream entry's id. A client that drops sends
 * Last-Event-ID (or ?lastEventId=) and gets what came after it. The stream ends after
 * `result`; a comment line every 15 s keeps proxies from closing an idle one.
 */
import { Router } from 'express';
import type { JobStore, RedisConnection, StoredEvent } from '@codebox/jobs';
import { FINAL_STATUSES } from '@codebox/protocol';
import { clientGone, follow } from '../jobs/follow.js';
import type { StreamLimiter } from '../streams.js';
import { ownJob } from './jobs.js';

const KEEPALIVE_MS = 15_000;
const EVENT_ID = /^\d+-\d+$/;

export function eventRoutes(d: { redis: RedisConnection; store: JobStore; limiter: StreamLimiter }): Router {
  const r = Router();
  r.get('/v1/jobs/:id/events', async (req, res) => {
    const gone = clientGone(res); // before any await: a client may leave during the first
    const id = req.params.id;
    await ownJob(d, id, res);
    const asked = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    let after = asked && EVENT_ID.test(asked) ? asked : '0';
    const f = follow(d, id, String(res.locals.owner), gone);
    if (f.ended) return;
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const send = (events: StoredEvent[]): boolean => {
      for (const e of events) {
        after = e.id;
        res.write(`id: ${e.id}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e.event.data)}\n\n`);
      }
      return events.some((e) => e.event.type === 'result');
    };
    try {
      while (!f.ended) {
        const events = await f.read(after, KEEPALIVE_MS);
        if (f.ended) break;
        if (events.length > 0) {
          if (send(events)) break;
          continue;
        }
        // nothing new in a while: a job that is over (or gone) may have ended just after the
        // read gave up, so what it wrote is read once more before the stream ends
        const job = await d.store.get(id);
        if (!job || FINAL_STATUSES.has(job.status)) {
          send(await f.readNow(after));
          break;
        }
        res.write(': keepalive\n\n');
      }
    } finally {
      f.end();
      if (!res.writableEnded) res.end();
    }
  });
  return r;
}
