/**
 * The client's sessions: a box that lives across calls. Create one, run commands (awaited,
 * streamed as they print, or in the background), move files and whole trees, read its
 * usage, open terminals, end it. Free of the engine: only the wire's types.
 *
 *   const s = await cb.sessions.create({ language: 'python' });
 *   await cb.sessions.writeFile(s.id, 'main.py', 'print(6 * 7)');
 *   const r = await cb.sessions.exec(s.id, { command: 'python3 main.py' }); // r.stdout === '42\n'
 *   for await (const e of cb.sessions.stream(s.id, { command: 'make' })) …
 *   const c = await cb.sessions.createContext(s.id, 'python');
 *   await cb.sessions.runCell(s.id, c.id, 'x = 6 * 7');
 *   (await cb.sessions.runCell(s.id, c.id, 'x')).events // [{type: 'result', data: {'text/plain': '42'}}]
 *   await cb.sessions.delete(s.id);
 */
import type {
  CellEventJson,
  CellRunJson,
  CommandEvent,
  CommandRequest,
  CommandResultJson,
  ContextLanguageName,
  ContextView,
  FileEntryJson,
  ProcessOutput,
  ProcessView,
  PtyServerMessage,
  SessionRequest,
  SessionView,
} from '@codebox/protocol';
// the wire's leaf for the one value needed: the package's index compiles its schemas with
// Ajv on import, which a page under a CSP without 'unsafe-eval' refuses to run
import { PTY_BEARER_PREFIX, PTY_SUBPROTOCOL } from '@codebox/protocol/session';
import type { Http } from './http.js';
import { segment, sseEvents } from './http.js';

/** what the client needs of a WebSocket: the browser's, or the `ws` package's in Node */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface PtyOptions {
  readonly cols?: number;
  readonly rows?: number;
  /** the platform's WebSocket by default (browsers, Node 22+); in Node 20 pass the `ws` package's */
  readonly WebSocket?: WebSocketConstructor;
}

/** a cell's stream: its start, each of its events, its end (or the call's failure, as `fail`) */
export type CellStreamEvent =
  | { type: 'start' }
  | CellEventJson
  | { type: 'done'; failed: boolean; truncated: boolean; ended?: boolean }
  | { type: 'fail'; code: string; message: string };

/** an open terminal: keystrokes in, what it shows out, its exit */
export interface SessionTerminal {
  /** resolves once the terminal is open in the box */
  readonly ready: Promise<void>;
  /** resolves with its exit; rejects with a CodeboxError-shaped error the server sent */
  readonly exited: Promise<{ exitCode: number | null; signal: string | null }>;
  onOutput(listener: (data: string) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** closes it (its processes get SIGHUP) */
  close(): void;
}

const seg = (s: string): string => segment(s);
/** a workspace path in a URL: each part encoded on its own, the slashes kept */
const filePath = (p: string): string =>
  p
    .split('/')
    .map((part) => segment(part, 'path', 'FILE_PATH_INVALID'))
    .join('/');

export class SessionsApi {
  constructor(private readonly http: Http) {}

  create(request: SessionRequest = {}): Promise<SessionView> {
    return this.http.json('POST', '/v1/sessions', request);
  }

  get(id: string): Promise<SessionView> {
    return this.http.json('GET', `/v1/sessions/${seg(id)}`);
  }

  keepalive(id: string): Promise<SessionView> {
    return this.http.json('POST', `/v1/sessions/${seg(id)}/keepalive`);
  }

  /** ends it: everything in its box is killed and removed; the session as it ended */
  delete(id: string): Promise<SessionView> {
    return this.http.json('DELETE', `/v1/sessions/${seg(id)}`);
  }

  /** runs a command and waits for its end: its exit and output */
  exec(id: string, command: CommandRequest): Promise<CommandResultJson> {
    return this.http.json('POST', `/v1/sessions/${seg(id)}/commands?wait=true`, { ...command, background: undefined });
  }

  /** runs a command, its events as they come: start, stage (run), stdout, stderr, exit */
  async *stream(
    id: string,
    command: CommandRequest,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<CommandEvent> {
    const res = await this.http.request('POST', `/v1/sessions/${seg(id)}/commands`, {
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ ...command, background: undefined }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const e of sseEvents(res)) yield { type: e.type, data: e.data } as CommandEvent;
  }

  /** starts a command in the background: its handle, at once */
  start(id: string, command: Omit<CommandRequest, 'background' | 'stdin'>): Promise<ProcessView> {
    return this.http.json('POST', `/v1/sessions/${seg(id)}/commands`, { ...command, background: true });
  }

  processes(id: string): Promise<ProcessView[]> {
    return this.http.json('GET', `/v1/sessions/${seg(id)}/processes`);
  }

  /** a background process and its output after chunk `after` (ask again with the answer's next) */
  output(id: string, pid: number, after = 0): Promise<ProcessOutput> {
    return this.http.json('GET', `/v1/sessions/${seg(id)}/processes/${pid}?after=${after}`);
  }

  kill(id: string, pid: number, signal?: string): Promise<ProcessView> {
    return this.http.json(
      'DELETE',
      `/v1/sessions/${seg(id)}/processes/${pid}${signal ? `?signal=${seg(signal)}` : ''}`,
    );
  }

  async readFile(id: string, path: string): Promise<Uint8Array> {
    const res = await this.http.request('GET', `/v1/sessions/${seg(id)}/files/${filePath(path)}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  /** a file's first maxBytes at most, read no further: for a reader that has room for no more */
  async readFileHead(id: string, path: string, maxBytes: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
    const res = await this.http.request('GET', `/v1/sessions/${seg(id)}/files/${filePath(path)}`);
    const parts: Uint8Array[] = [];
    let n = 0;
    let truncated = false;
    const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      if (n + value.length > maxBytes) {
        parts.push(value.subarray(0, maxBytes - n));
        n = maxBytes;
        truncated = true;
        await reader.cancel();
        break;
      }
      parts.push(value);
      n += value.length;
    }
    const bytes = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    return { bytes, truncated };
  }

  async writeFile(
    id: string,
    path: string,
    content: string | Uint8Array,
    options: { mode?: number } = {},
  ): Promise<FileEntryJson> {
    const mode = options.mode === undefined ? '' : `?mode=${options.mode.toString(8)}`;
    const res = await this.http.request('PUT', `/v1/sessions/${seg(id)}/files/${filePath(path)}${mode}`, {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: content as RequestInit['body'],
    });
    return (await res.json()) as FileEntryJson;
  }

  list(id: string, options: { path?: string; depth?: number } = {}): Promise<FileEntryJson[]> {
    const q = new URLSearchParams();
    if (options.path) q.set('path', options.path);
    if (options.depth) q.set('depth', String(options.depth));
    return this.http.json('GET', `/v1/sessions/${seg(id)}/files${q.size ? `?${q.toString()}` : ''}`);
  }

  async remove(id: string, path: string): Promise<void> {
    await this.http.request('DELETE', `/v1/sessions/${seg(id)}/files/${filePath(path)}`);
  }

  async mkdir(id: string, path: string): Promise<void> {
    await this.http.request('PUT', `/v1/sessions/${seg(id)}/files/${filePath(path)}?type=dir`);
  }

  /** the workspace (or a directory of it) as a tar stream */
  async download(id: string, options: { path?: string } = {}): Promise<ReadableStream<Uint8Array>> {
    const q = options.path ? `?path=${seg(options.path)}` : '';
    const res = await this.http.request('GET', `/v1/sessions/${seg(id)}/archive${q}`);
    if (!res.body) throw new Error('the archive came without a body');
    return res.body;
  }

  /** unpacks a tar stream into the workspace (or under a directory of it) */
  async upload(
    id: string,
    tar: Uint8Array | ReadableStream<Uint8Array>,
    options: { path?: string } = {},
  ): Promise<void> {
    const q = options.path ? `?path=${seg(options.path)}` : '';
    await this.http.request('PUT', `/v1/sessions/${seg(id)}/archive${q}`, {
      headers: { 'Content-Type': 'application/x-tar' },
      body: tar as RequestInit['body'],
    });
  }

  /** a terminal in the box, over a WebSocket (the key as a subprotocol, which browsers can send) */
  pty(id: string, options: PtyOptions = {}): SessionTerminal {
    const Ws = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ws) throw new Error('no WebSocket here: pass one (options.WebSocket, e.g. the ws package)');
    const q = new URLSearchParams({ cols: String(options.cols ?? 80), rows: String(options.rows ?? 24) });
    const url = `${this.http.base.replace(/^http/, 'ws')}/v1/sessions/${seg(id)}/pty?${q.toString()}`;
    const key = this.http.apiKey;
    const ws = new Ws(url, key ? [PTY_SUBPROTOCOL, `${PTY_BEARER_PREFIX}${key}`] : [PTY_SUBPROTOCOL]);
    const listeners: ((data: string) => void)[] = [];
    let onReady!: () => void;
    let onExit!: (v: { exitCode: number | null; signal: string | null }) => void;
    let onFail!: (err: Error) => void;
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve, reject) => {
      onExit = resolve;
      onFail = reject;
    });
    exited.catch(() => undefined);
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as PtyServerMessage;
      if (m.type === 'ready') onReady();
      else if (m.type === 'output') for (const l of listeners) l(m.data);
      else if (m.type === 'exit') onExit({ exitCode: m.exitCode, signal: m.signal });
      else if (m.type === 'error') onFail(Object.assign(new Error(`${m.code}: ${m.message}`), { code: m.code }));
    };
    ws.onclose = (ev) => onFail(new Error(`the terminal's socket closed (${ev.code} ${ev.reason})`));
    ws.onerror = () => onFail(new Error("the terminal's socket failed"));
    const send = (m: object): void => {
      if (ws.readyState === 1) ws.send(JSON.stringify(m));
    };
    return {
      ready,
      exited,
      onOutput: (l) => void listeners.push(l),
      write: (data) => send({ type: 'input', data }),
      resize: (cols, rows) => send({ type: 'resize', cols, rows }),
      close: () => ws.close(1000),
    };
  }

  /** a code context: a python or javascript interpreter in the box that keeps its variables between cells */
  createContext(id: string, language: ContextLanguageName): Promise<ContextView> {
    return this.http.json('POST', `/v1/sessions/${seg(id)}/contexts`, { language });
  }

  contexts(id: string): Promise<ContextView[]> {
    return this.http.json('GET', `/v1/sessions/${seg(id)}/contexts`);
  }

  /** runs a cell and waits for its end: every event (output, values, displays, its error) */
  runCell(id: string, context: string, code: string): Promise<CellRunJson> {
    return this.http.json('POST', `/v1/sessions/${seg(id)}/contexts/${seg(context)}/run?wait=true`, { code });
  }

  /** runs a cell, its events as they come; aborting the signal interrupts the cell */
  async *streamCell(
    id: string,
    context: string,
    code: string,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<CellStreamEvent> {
    const res = await this.http.request('POST', `/v1/sessions/${seg(id)}/contexts/${seg(context)}/run`, {
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ code }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const e of sseEvents(res)) yield { type: e.type, ...(e.data as object) } as CellStreamEvent;
  }

  /** stops the context's running cell; the context lives */
  interruptContext(id: string, context: string): Promise<ContextView> {
    return this.http.json('POST', `/v1/sessions/${seg(id)}/contexts/${seg(context)}/interrupt`);
  }

  /** a fresh interpreter: every variable gone */
  restartContext(id: string, context: string): Promise<ContextView> {
    return this.http.json('POST', `/v1/sessions/${seg(id)}/contexts/${seg(context)}/restart`);
  }

  async deleteContext(id: string, context: string): Promise<void> {
    await this.http.request('DELETE', `/v1/sessions/${seg(id)}/contexts/${seg(context)}`);
  }
}
