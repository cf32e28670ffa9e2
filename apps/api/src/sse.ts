/** A response as Server-Sent Events, for every feature that streams (a job's events, a session command's). */
import { once } from 'node:events';
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

/** writes and waits for the client to take it; false when it has gone */
export async function write(res: Response, chunk: string | Buffer, gone: AbortSignal): Promise<boolean> {
  if (gone.aborted) return false;
  if (res.write(chunk)) return true;
  await once(res, 'drain', { signal: gone }).catch(() => undefined);
  return !gone.aborted;
}
