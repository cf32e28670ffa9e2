/**
 * A terminal in a session, over a WebSocket: /v1/sessions/:id/pty (subprotocol
 * codebox.pty), xterm.js-shaped. The client sends {type: input, data} (or binary frames:
 * raw keystrokes) and {type: resize, cols, rows}; it gets {type: ready, id}, then
 * {type: output, data} as the terminal writes, and {type: exit, exitCode, signal} before
 * the close (1000), or {type: error, code, message} and a close of 4000 + the error's
 * status (4404, 4410, …). Several terminals per session: one socket each.
 *
 * The key comes as Authorization, or — for a browser, which cannot set headers on a
 * WebSocket — as a second subprotocol `codebox.bearer.<key>`. Output is acked to the
 * worker only once the socket has taken it, so a slow client slows its terminal's frames
 * (and the worker drops what a terminal writes past its bound), and keystrokes past the
 * window wait here, at most MAX_PENDING_INPUT bytes of them.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { SessionCall } from '@codebox/jobs';
import { API_ERRORS, ApiError, PTY_BEARER_PREFIX, PTY_SUBPROTOCOL } from '@codebox/protocol';
import type { PtyServerMessage } from '@codebox/protocol';
import { requestUrl } from '../request-url.js';
import { liveSession, startCall } from './service.js';
import type { SessionServiceDeps } from './service.js';

export interface PtyDeps extends SessionServiceDeps {
  /** the owner of a request's key, or undefined when it has none that is valid */
  readonly owner: (authorization: string | undefined) => string | undefined;
  readonly bodyLimitBytes: number;
}

const PTY_PATH = /^\/v1\/sessions\/([^/]+)\/pty$/;
/** keystrokes waiting for the window: a client that types faster than a terminal takes them */
const MAX_PENDING_INPUT = 1 << 20;

export interface PtySockets {
  /** whether an upgrade is a terminal's */
  handles(req: http.IncomingMessage): boolean;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** ends every open terminal */
  close(): void;
}

export function ptySockets(d: PtyDeps): PtySockets {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: d.bodyLimitBytes,
    handleProtocols: (protocols) => (protocols.has(PTY_SUBPROTOCOL) ? PTY_SUBPROTOCOL : false),
  });
  return {
    handles: (req) => PTY_PATH.test(requestUrl(req)?.pathname ?? ''),
    upgrade: (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      const url = requestUrl(req);
      const id = url && PTY_PATH.exec(url.pathname)?.[1];
      if (!url || !id) return void socket.destroy();
      const owner = d.owner(req.headers.authorization ?? bearerProtocol(req.headers['sec-websocket-protocol']));
      if (!owner) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const size = {
        cols: dimension(url.searchParams.get('cols')) ?? 80,
        rows: dimension(url.searchParams.get('rows')) ?? 24,
      };
      wss.handleUpgrade(req, socket, head, (ws) => void terminal(d, ws, id, owner, size));
    },
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** the key in a `codebox.bearer.<key>` subprotocol, as an Authorization header would carry it */
function bearerProtocol(header: string | undefined): string | undefined {
  const key = header
    ?.split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(PTY_BEARER_PREFIX))
    ?.slice(PTY_BEARER_PREFIX.length);
  return key ? `Bearer ${key}` : undefined;
}

function dimension(v: string | null): number | undefined {
  const n = Number(v);
  return v !== null && Number.isInteger(n) && n >= 1 && n <= 1000 ? n : undefined;
}

/** one terminal: its call to the worker, relayed both ways until either side ends */
async function terminal(
  d: PtyDeps,
  ws: WebSocket,
  id: string | undefined,
  owner: string,
  size: { cols: number; rows: number },
): Promise<void> {
  ws.on('error', () => undefined);
  const send = (m: PtyServerMessage, done?: () => void): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m), () => done?.());
    else done?.();
  };
  const fail = (err: unknown): void => {
    const e = err instanceof ApiError ? err : new ApiError('INTERNAL', (err as Error)?.message);
    send({ type: 'error', code: e.code, message: e.message });
    ws.close(4000 + (API_ERRORS[e.code].status % 1000), e.code);
  };
  let call: SessionCall | undefined;
  ws.on('close', () => call?.close());
  try {
    call = await startCall(d, await liveSession(d, id, owner), 'pty', size);
    if (ws.readyState !== ws.OPEN) return call.close();
    relayInput(ws, call, fail);
    const decoder = new StringDecoder('utf8');
    for (let f = await call.next(); f; f = await call.next()) {
      if (f.kind === 'error') throw new ApiError(f.error.code, f.error.message, f.error.details);
      if (f.kind === 'event') send({ type: 'ready', id: (f.value as { id: number }).id });
      // acked to the worker (by the next next()) only once the socket has taken it
      if (f.kind === 'data') await new Promise<void>((r) => send({ type: 'output', data: decoder.write(f.bytes) }, r));
      if (f.kind === 'end') {
        const rest = decoder.end();
        if (rest) send({ type: 'output', data: rest });
        const { exitCode, signal } = f.value as { exitCode: number | null; signal: string | null };
        send({ type: 'exit', exitCode, signal });
        ws.close(1000, 'exited');
        return;
      }
    }
  } catch (err) {
    if (ws.readyState === ws.OPEN) fail(err);
  } finally {
    call?.close();
  }
}

/** the client's messages: keystrokes in order under the window, resizes as they come */
function relayInput(ws: WebSocket, call: SessionCall, fail: (err: unknown) => void): void {
  let pending = 0;
  let chain = Promise.resolve();
  // one resize goes to the worker at a time, and of those that came meanwhile only the last:
  // a client sending them in a loop costs one entry in flight, not a queue of them
  let resizing = false;
  let nextSize: { cols: number; rows: number } | undefined;
  const resize = (size: { cols: number; rows: number }): void => {
    nextSize = size;
    if (resizing) return;
    resizing = true;
    void (async () => {
      while (nextSize) {
        const s = nextSize;
        nextSize = undefined;
        await call.control({ type: 'resize', ...s }).catch(() => undefined);
      }
      resizing = false;
    })();
  };
  ws.on('message', (raw: RawData, binary: boolean) => {
    let bytes: Buffer;
    try {
      const data = Buffer.isBuffer(raw) ? raw : Buffer.concat(raw as Buffer[]);
      if (binary) bytes = data;
      else {
        const m = JSON.parse(data.toString('utf8')) as {
          type?: unknown;
          data?: unknown;
          cols?: unknown;
          rows?: unknown;
        };
        if (m.type === 'resize') {
          for (const field of ['cols', 'rows'] as const) {
            const v = m[field];
            if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1000)
              throw new ApiError('INVALID_REQUEST', `${field} must be a whole number from 1 to 1000`, { field });
          }
          return resize({ cols: m.cols as number, rows: m.rows as number });
        }
        if (m.type !== 'input' || typeof m.data !== 'string')
          throw new ApiError('INVALID_REQUEST', 'a message is {type: "input", data} or {type: "resize", cols, rows}', {
            field: 'type',
          });
        bytes = Buffer.from(m.data, 'utf8');
      }
    } catch (err) {
      return fail(err instanceof ApiError ? err : new ApiError('BAD_JSON', 'a message is JSON, or binary keystrokes'));
    }
    pending += bytes.length;
    if (pending > MAX_PENDING_INPUT)
      return fail(new ApiError('RATE_LIMITED', `over ${MAX_PENDING_INPUT} bytes of keystrokes wait for the terminal`));
    chain = chain
      .then(() => call.send('pty', bytes))
      .then(
        () => void (pending -= bytes.length),
        () => undefined,
      );
  });
}
