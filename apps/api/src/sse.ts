/** A response as Server-Sent Events, for every feature that streams (a job's events, a session command's). */
import type { Response } from 'express';

/** 200 with the event stream's headers sent at once; no proxy buffers or caches it */
export function openEventStream(res: Response): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
}
