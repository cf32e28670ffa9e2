/**
 * Piston v2's WebSocket, /api/v2/connect, as Piston implements it: the client sends
 * `init` (an execute body) within a second, then `data` (stdin) and `signal`; the server
 * sends `runtime`, `stage`, `data` (stdout/stderr), `exit` per stage, `error`; and closes
 * with Piston's codes (wire/socket.ts). The job is an interactive one on the same queue:
 * its stdin is the client's `data`, live; a signal ends the run (SIGKILL: a box takes no
 * other from outside). A client that goes cancels its job.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { requestUrl } from '../request-url.js';
import { asText } from '../text.js';
import type { CatalogReader } from '../catalog.js';
import { submitFollowed } from '../jobs/index.js';
import type { Follower, JobServiceDeps } from '../jobs/index.js';
import { PISTON_CLOSE, pistonRequest, runtimeMessage, socketMessage } from './wire/index.js';
import type { PistonClose, PistonOptions, ServerMessage } from './wire/index.js';

const INIT_TIMEOUT_MS = 1_000;
/** stdin a session may send in all: it is kept in Redis until the job reads it */
const MAX_STDIN_BYTES = 16 << 20;
const SIGNALS = new Set(Object.keys(os.constants.signals));

export interface PistonSocketDeps extends JobServiceDeps, PistonOptions {
  readonly catalog: CatalogReader;
  /** the largest message */
  readonly bodyLimitBytes: number;
  /** the owner of a request's key, or undefined when it has none that is valid */
  readonly owner: (authorization: string | undefined) => string | undefined;
  /** the key's rate of job creation: throws RATE_LIMITED past it */
  readonly rateCheck: (owner: string, jobs?: number) => Promise<void>;
}

/** what a client sends; anything, until each field is checked */
interface ClientMessage {
  type?: unknown;
  stream?: unknown;
  data?: unknown;
  signal?: unknown;
}

/** returns what ends every open session (their jobs are cancelled) */
export function attachPistonSocket(server: http.Server, d: PistonSocketDeps): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: d.bodyLimitBytes });
  server.on('upgrade', (req, socket, head) => {
    // Node drops the socket's error listener before 'upgrade': one reset must not crash us
    socket.on('error', () => socket.destroy());
    if (requestUrl(req)?.pathname !== '/api/v2/connect') return void socket.destroy();
    const owner = d.owner(req.headers.authorization);
    if (!owner) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => new Session(ws, owner, d).open());
  });
  return () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}

/** one client's session: at most one job, made by its `init` */
class Session {
  /** set from `init` on, so that stdin sent right after it is kept; unset once the job has ended */
  private jobId: string | undefined;
  private stdinBytes = 0;
  private initializing = false;
  private readonly gone = new AbortController();

  constructor(
    private readonly ws: WebSocket,
    private readonly owner: string,
    private readonly d: PistonSocketDeps,
  ) {}

  /** the init's deadline, the client's messages, and its going (which cancels the job) */
  open(): void {
    // a bad frame (unmasked, over maxPayload, not UTF-8) is an 'error' then a close: unheard, it
    // would be an uncaught exception
    this.ws.on('error', () => undefined);
    const timer = setTimeout(() => {
      if (!this.initializing) this.close(PISTON_CLOSE.initTimeout);
    }, INIT_TIMEOUT_MS);
    this.ws.on('close', () => {
      clearTimeout(timer);
      this.gone.abort();
      if (this.jobId) void this.d.store.cancel(this.jobId).catch(() => undefined);
    });
    this.ws.on('message', (raw) => void this.onMessage(raw));
  }

  /** any failure, the client's or ours, is an `error` message and 4002 */
  private async onMessage(raw: RawData): Promise<void> {
    let msg: ClientMessage;
    try {
      // ws hands a text frame over as one Buffer (binaryType nodebuffer, the default)
      msg = JSON.parse((raw as Buffer).toString('utf8')) as ClientMessage;
    } catch (err) {
      return this.fail(err);
    }
    try {
      await this.handle(msg);
    } catch (err) {
      this.fail(err);
    }
  }

  private async handle(msg: ClientMessage): Promise<void> {
    switch (msg.type) {
      case 'init':
        if (this.initializing) return this.close(PISTON_CLOSE.alreadyInitialized);
        this.initializing = true;
        return this.start(msg);
      case 'data':
        return this.stdin(msg);
      case 'signal':
        return this.signal(msg);
      default:
        return;
    }
  }

  /** `init`: the job made and queued, then its events relayed until it ends */
  private async start(msg: ClientMessage): Promise<void> {
    const id = crypto.randomUUID();
    this.jobId = id;
    await this.d.rateCheck(this.owner);
    const { request, runtime } = pistonRequest(msg, await this.d.catalog.requestContext(), this.d);
    const { stdin: _stdin, ...interactive } = request;
    // the follower's slot first: past the key's share of streams, no job is made
    const { f } = await submitFollowed(
      this.d,
      this.owner,
      interactive,
      runtime,
      { gone: this.gone.signal },
      { interactive: true, id },
    );
    // the client left while the job was being queued: the close handler may have been first
    if (this.gone.signal.aborted) await this.d.store.cancel(id);
    this.send(runtimeMessage(runtime));
    await relay(f, (m) => this.send(m));
    if (this.ws.readyState === this.ws.OPEN) this.close(PISTON_CLOSE.completed);
    this.jobId = undefined;
  }

  /** `data`: the client's stdin, to the running job, up to MAX_STDIN_BYTES in all */
  private async stdin(msg: ClientMessage): Promise<void> {
    if (!this.jobId) return this.close(PISTON_CLOSE.notInitialized);
    if (msg.stream !== 'stdin') return this.close(PISTON_CLOSE.onlyStdin);
    const data = asText(msg.data);
    this.stdinBytes += Buffer.byteLength(data);
    if (this.stdinBytes > MAX_STDIN_BYTES) throw new Error(`more than ${MAX_STDIN_BYTES} bytes of stdin`);
    await this.d.store.sendInput(this.jobId, { type: 'stdin', data });
  }

  /** `signal`: one the host knows by name, to the running job */
  private async signal(msg: ClientMessage): Promise<void> {
    if (!this.jobId) return this.close(PISTON_CLOSE.notInitialized);
    if (typeof msg.signal !== 'string' || !SIGNALS.has(msg.signal)) return this.close(PISTON_CLOSE.invalidSignal);
    await this.d.store.sendInput(this.jobId, { type: 'signal', signal: msg.signal });
  }

  private send(msg: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private fail(err: unknown): void {
    // a close reason is limited to 123 bytes: the message goes first, as its own frame
    this.send({ type: 'error', message: (err as Error).message });
    this.close(PISTON_CLOSE.notifiedError);
  }

  private close([code, reason]: PistonClose): void {
    this.ws.close(code, reason);
  }
}

/** the job's events as Piston's messages, until its end */
async function relay(f: Follower, send: (msg: ServerMessage) => void): Promise<void> {
  try {
    let after = '0';
    while (!f.ended) {
      for (const { id, event } of await f.read(after, 5_000)) {
        after = id;
        const msg = socketMessage(event);
        if (msg) send(msg);
        if (event.type === 'result') return;
      }
    }
  } finally {
    f.end();
  }
}
