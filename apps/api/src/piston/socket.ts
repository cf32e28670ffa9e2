/**
 * Piston v2's WebSocket, /api/v2/connect, as Piston implements it: the client sends
 * `init` (an execute body) within a second, then `data` (stdin) and `signal`; the server
 * sends `runtime`, `stage`, `data` (stdout/stderr), `exit` per stage, `error`; and closes
 * with Piston's codes: 4000 Already Initialized, 4001 Initialization Timeout, 4002
 * Notified Error, 4003 Not yet initialized, 4004 Can only write to stdin, 4005 Invalid
 * signal, 4999 Job Completed. The job is an interactive one on the same queue: its stdin
 * is the client's `data`, live; a signal ends the run (SIGKILL: a box takes no other from
 * outside). A client that goes cancels its job.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { CatalogReader } from '../catalog.js';
import { submitFollowed } from '../jobs/index.js';
import type { Follower, JobServiceDeps } from '../jobs/index.js';
import { pistonName, pistonRequest } from './wire.js';

const INIT_TIMEOUT_MS = 1_000;
/** stdin a session may send in all: it is kept in Redis until the job reads it */
const MAX_STDIN_BYTES = 16 << 20;
const SIGNALS = new Set(Object.keys(os.constants.signals));

export interface PistonSocketDeps extends JobServiceDeps {
  readonly catalog: CatalogReader;
  /** the largest message */
  readonly bodyLimitBytes: number;
  /** the owner of a request's key, or undefined when it has none that is valid */
  readonly owner: (authorization: string | undefined) => string | undefined;
  /** the key's rate of job creation: throws RATE_LIMITED past it */
  readonly rateCheck: (owner: string, jobs?: number) => Promise<void>;
}

/** returns what ends every open session (their jobs are cancelled) */
export function attachPistonSocket(server: http.Server, d: PistonSocketDeps): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: d.bodyLimitBytes });
  server.on('upgrade', (req, socket, head) => {
    // Node drops the socket's error listener before 'upgrade': one reset must not crash us
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://codebox').pathname;
    if (path !== '/api/v2/connect') return void socket.destroy();
    const owner = d.owner(req.headers.authorization);
    if (!owner) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => session(ws, owner, d));
  });
  return () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}

function session(ws: WebSocket, owner: string, d: PistonSocketDeps): void {
  // a bad frame (unmasked, over maxPayload, not UTF-8) is an 'error' then a close: unheard, it
  // would be an uncaught exception
  ws.on('error', () => undefined);
  let jobId: string | undefined;
  let stdinBytes = 0;
  let initializing = false;
  const gone = new AbortController();
  const send = (msg: object): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const fail = (err: unknown): void => {
    // a close reason is limited to 123 bytes: the message goes first, as its own frame
    send({ type: 'error', message: (err as Error).message });
    ws.close(4002, 'Notified Error');
  };
  const timer = setTimeout(() => {
    if (!initializing) ws.close(4001, 'Initialization Timeout');
  }, INIT_TIMEOUT_MS);
  ws.on('close', () => {
    clearTimeout(timer);
    gone.abort();
    if (jobId) void d.store.cancel(jobId).catch(() => undefined);
  });
  ws.on('message', (raw) => {
    void (async () => {
      let msg: { type?: unknown; stream?: unknown; data?: unknown; signal?: unknown };
      try {
        msg = JSON.parse(raw.toString());
      } catch (err) {
        return fail(err);
      }
      try {
        switch (msg.type) {
          case 'init':
            if (initializing) return void ws.close(4000, 'Already Initialized');
            initializing = true;
            await start(msg);
            return;
          case 'data':
            if (!jobId) return void ws.close(4003, 'Not yet initialized');
            if (msg.stream !== 'stdin') return void ws.close(4004, 'Can only write to stdin');
            {
              const data = String(msg.data ?? '');
              stdinBytes += Buffer.byteLength(data);
              if (stdinBytes > MAX_STDIN_BYTES) throw new Error(`more than ${MAX_STDIN_BYTES} bytes of stdin`);
              return void (await d.store.sendInput(jobId, { type: 'stdin', data }));
            }
          case 'signal':
            if (!jobId) return void ws.close(4003, 'Not yet initialized');
            if (typeof msg.signal !== 'string' || !SIGNALS.has(msg.signal)) return void ws.close(4005, 'Invalid signal');
            return void (await d.store.sendInput(jobId, { type: 'signal', signal: msg.signal }));
          default:
            return;
        }
      } catch (err) {
        fail(err);
      }
    })();
  });

  const start = async (msg: object): Promise<void> => {
    // stdin sent right after init is kept: the job's id, and so its input stream, exist now
    const id = crypto.randomUUID();
    jobId = id;
    await d.rateCheck(owner);
    const { request, runtime } = pistonRequest(msg, await d.catalog.requestContext());
    const { stdin: _stdin, ...interactive } = request;
    // the follower's slot first: past the key's share of streams, no job is made
    const { f } = await submitFollowed(d, owner, interactive, runtime, { gone: gone.signal }, { interactive: true, id });
    // the client left while the job was being queued: the close handler may have been first
    if (gone.signal.aborted) await d.store.cancel(id);
    send({ type: 'runtime', language: pistonName(runtime), version: runtime.version });
    await relay(f, send);
    if (ws.readyState === ws.OPEN) ws.close(4999, 'Job Completed');
    jobId = undefined;
  };
}

/** the job's events as Piston's messages, until its end */
async function relay(f: Follower, send: (msg: object) => void): Promise<void> {
  try {
    let after = '0';
    while (!f.ended) {
      for (const { id, event } of await f.read(after, 5_000)) {
        after = id;
        if (event.type === 'stage') {
          if (event.data.state === 'start') send({ type: 'stage', stage: event.data.stage });
          else send({ type: 'exit', stage: event.data.stage, code: event.data.exitCode, signal: event.data.signal });
        } else if (event.type === 'stdout' || event.type === 'stderr') {
          send({ type: 'data', stream: event.type, data: Buffer.from(event.data.data, event.data.encoding).toString('utf8') });
        } else if (event.type === 'result') {
          if (event.data.status === 'failed') send({ type: 'error', message: event.data.error?.message ?? 'the job failed' });
          return;
        }
      }
    }
  } finally {
    f.end();
  }
}
