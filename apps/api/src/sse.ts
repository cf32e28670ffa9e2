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

/** a quiet stream gets a comment this often, so no proxy takes it for dead */
export const SSE_KEEPALIVE_MS = 15_000;

/** comments on a quiet event stream until the returned stop is called */
export function keepAlive(res: Response): () => void {
  const timer = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
  return () => clearInterval(timer);
}

/** writes and waits for the client to take it; false when it has gone */
export async function write(res: Response, chunk: string | Buffer, gone: AbortSignal): Promise<boolean> {
  if (gone.aborted) return false;
  if (res.write(chunk)) return true;
  await once(res, 'drain', { signal: gone }).catch(() => undefined);
  return !gone.aborted;
}
