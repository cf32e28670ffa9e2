/**
 * A typed client for the codebox API: create a job, wait for it, follow its events as an
 * async iterator (resuming with Last-Event-ID when the connection drops), cancel it;
 * store problems that judge jobs name.
 * Uses the platform's fetch; imports nothing of the server at run time.
 *
 *   const cb = new CodeboxClient({ baseUrl: 'http://127.0.0.1:8080', apiKey });
 *   const job = await cb.run({ language: 'python', files: [{ content: 'print(1)' }] });
 *   for await (const e of cb.events(id)) if (e.type === 'stdout') process.stdout.write(e.data.data);
 */
import type {
  JobEvent,
  JobRequest,
  JobStatus,
  JobView,
  ProblemRequest,
  ProblemView,
  RuntimeInfo,
  SessionPolicy,
} from '@codebox/protocol';
import { CodeboxError, Http, parseSse, segment, sseEvents } from './http.js';
import { SessionsApi } from './sessions.js';

export type {
  JobEvent,
  JobRequest,
  JobStatus,
  JobView,
  ProblemRequest,
  ProblemView,
  RuntimeInfo,
} from '@codebox/protocol';

export interface ClientOptions {
  readonly baseUrl: string;
  /** sent as Authorization: Bearer …, when the server has keys */
  readonly apiKey?: string;
  readonly fetch?: typeof fetch;
}

/** an event as it arrives, with the id to resume after */
export type ReceivedEvent = JobEvent & { readonly id: string };

export interface RuntimesResponse {
  runtimes: RuntimeInfo[];
  limits?: { defaults: Record<string, number>; maxima: Record<string, number> };
  compileLimits?: { defaults: Record<string, number>; maxima: Record<string, number> };
  /** what a job's `outputs` may bring back */
  outputs?: { maxFiles: number; maxBytes: number };
  /** what a session may ask, when a live worker holds sessions */
  sessions?: SessionPolicy;
}

export class CodeboxClient {
  private readonly http: Http;
  /** sessions: boxes that live across calls (create, exec, files, processes, pty) */
  readonly sessions: SessionsApi;

  constructor(options: ClientOptions) {
    this.http = new Http(options);
    this.sessions = new SessionsApi(this.http);
  }

  /** queues a job: {id, status: 'queued'} */
  async create(request: JobRequest): Promise<{ id: string; status: JobStatus }> {
    return this.json('POST', '/v1/jobs', request);
  }

  /** creates a job and returns it finished (the server's ?wait=true, then its events if it takes longer) */
  async run(request: JobRequest, options: { signal?: AbortSignal } = {}): Promise<JobView> {
    const r = await this.json<JobView | { id: string; status: JobStatus }>('POST', '/v1/jobs?wait=true', request);
    if ('createdAt' in r && ['completed', 'failed', 'cancelled'].includes(r.status)) return r;
    return this.wait(r.id, options);
  }

  async get(id: string): Promise<JobView> {
    return this.json('GET', `/v1/jobs/${segment(id)}`);
  }

  /** cancels: the job as it is after (cancelled, or still ending when the server stopped waiting) */
  async cancel(id: string): Promise<JobView> {
    return this.json('DELETE', `/v1/jobs/${segment(id)}`);
  }

  /**
   * stores a problem (or, with the id of one of yours, its next version): JSON, or a
   * Polygon package or Kattis problem directory as zip bytes (id: what to store it as)
   */
  async createProblem(problem: ProblemRequest | Uint8Array, options: { id?: string } = {}): Promise<ProblemView> {
    if (!(problem instanceof Uint8Array)) return this.json('POST', '/v1/problems', problem);
    const query = options.id ? `?id=${encodeURIComponent(options.id)}` : '';
    const res = await this.http.request('POST', `/v1/problems${query}`, {
      headers: { 'Content-Type': 'application/zip' },
      body: problem,
    });
    return (await res.json()) as ProblemView;
  }

  /** a problem: its latest version, or `id@version` */
  async problem(ref: string): Promise<ProblemView> {
    return this.json('GET', `/v1/problems/${segment(ref)}`);
  }

  /** this key's problems, each at its latest version */
  async problems(): Promise<ProblemView[]> {
    return (await this.json<{ problems: ProblemView[] }>('GET', '/v1/problems')).problems;
  }

  /** deletes a problem with every version, or `id@version`: the versions deleted */
  async deleteProblem(ref: string): Promise<number[]> {
    return (await this.json<{ deleted: number[] }>('DELETE', `/v1/problems/${segment(ref)}`)).deleted;
  }

  async runtimes(): Promise<RuntimesResponse> {
    return this.json('GET', '/v1/runtimes');
  }

  /** the finished job, following its events */
  async wait(id: string, options: { signal?: AbortSignal } = {}): Promise<JobView> {
    for await (const e of this.events(id, options)) if (e.type === 'result') return e.data;
    return this.get(id); // the stream ended without a result: the job is gone or over
  }

  /**
   * The job's events in order: status, stdout, stderr, …, result. A dropped connection
   * is resumed after the last event seen (up to `retries` times in a row).
   */
  async *events(
    id: string,
    options: { lastEventId?: string; signal?: AbortSignal; retries?: number } = {},
  ): AsyncGenerator<ReceivedEvent> {
    let last = options.lastEventId;
    let failures = 0;
    for (;;) {
      let sawResult = false;
      try {
        for await (const e of this.eventStream(id, last, options.signal)) {
          failures = 0;
          last = e.id;
          yield e;
          if (e.type === 'result') sawResult = true;
        }
        return;
      } catch (err) {
        if (sawResult || options.signal?.aborted || err instanceof CodeboxError || ++failures > (options.retries ?? 5))
          throw err;
        await new Promise((r) => setTimeout(r, 200 * failures));
      }
    }
  }

  /** one connection's worth of events */
  private async *eventStream(
    id: string,
    lastEventId: string | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<ReceivedEvent> {
    const res = await this.http.request('GET', `/v1/jobs/${segment(id)}/events`, {
      headers: { Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
      ...(signal ? { signal } : {}),
    });
    for await (const e of sseEvents(res)) yield e as ReceivedEvent;
  }

  private json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.http.json<T>(method, path, body);
  }
}

/** one SSE block of a job's events: `id:`, `event:`, `data:` lines; comments and blocks without data are skipped */
export function parseEvent(block: string): ReceivedEvent | undefined {
  return parseSse(block) as ReceivedEvent | undefined;
}

export { CodeboxError };
export type {
  CellEventJson,
  CellRunJson,
  CommandEvent,
  CommandExit,
  ContextLanguageName,
  ContextView,
  CommandRequest,
  CommandResultJson,
  FileEntryJson,
  ProcessOutput,
  ProcessView,
  SessionRequest,
  SessionView,
} from '@codebox/protocol';
export type { CellStreamEvent, PtyOptions, SessionTerminal, WebSocketConstructor, WebSocketLike } from './sessions.js';
export { SessionsApi } from './sessions.js';
