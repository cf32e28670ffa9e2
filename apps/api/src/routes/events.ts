/**
 * GET /v1/jobs/:id/events — Server-Sent Events: the job's `status`, `stdout`, `stderr`
 * and, last, `result` events, each with the stream entry's id. A client that drops sends
 * Last-Event-ID (or ?lastEventId=) and gets what came after it. The stream ends after
 * `result`; a comment line every 15 s keeps proxies from closing an idle one.
 */
import { Router } from 'express';
import { blockingConnection } from '@codebox/jobs';
import type { JobStore } from '@codebox/jobs';
import type { Redis } from 'ioredis';
import { FINAL_STATUSES } from '@codebox/protocol';
import { ownJob } from './jobs.js';

const KEEPALIVE_MS = 15_000;
const EVENT_ID = /^\d+-\d+$/;

export function eventRoutes(d: { redis: Redis; store: JobStore }): Router {
  const r = Router();
  r.get('/v1/jobs/:id/events', async (req, res) => {
    const id = req.params.id;
    await ownJob(d, id, res);
    const asked = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    let after = asked && EVENT_ID.test(asked) ? asked : '0';
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const conn = blockingConnection(d.redis);
    let open = true;
    res.on('close', () => {
      open = false;
      conn.disconnect();
    });
    try {
      while (open) {
        const events = await d.store.readEvents(id, after, KEEPALIVE_MS, conn);
        if (!open) break;
        if (events.length === 0) {
          // nothing new: a job that is over (or gone) has nothing more to say
          const job = await d.store.get(id);
          if (!job || FINAL_STATUSES.has(job.status)) break;
          res.write(': keepalive\n\n');
          continue;
        }
        for (const e of events) {
          after = e.id;
          res.write(`id: ${e.id}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e.event.data)}\n\n`);
        }
        if (events.some((e) => e.event.type === 'result')) break;
      }
    } catch (err) {
      if (open) throw err;
    } finally {
      conn.disconnect();
      if (open) res.end();
    }
  });
  return r;
}
