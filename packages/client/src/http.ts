/**
 * The client's HTTP: its base URL, its key, the platform's fetch, one error shape, and the
 * Server-Sent Events a job or a session command streams. Shared by the jobs' calls
 * (index.ts) and the sessions' (sessions.ts).
 */
import type { ApiErrorBody } from '@codebox/protocol';

/** an error answer of the API: its HTTP status, stable code, message and details */
export class CodeboxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | undefined,
    /** from Retry-After, for 429 and 503 */
    readonly retryAfterS: number | undefined,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'CodeboxError';
  }
}

/**
 * One segment of a URL's path, encoded. A `.` or `..` segment is refused before anything is
 * sent: a URL parser resolves it (`%2e%2e` as well), so the request would reach another
 * route or another resource than the one named.
 */
export function segment(s: string, field = 'id', code = 'INVALID_REQUEST'): string {
  if (s === '.' || s === '..')
    throw new CodeboxError(400, code, `${field}: "${s}" is not a name`, { field }, undefined);
  return encodeURIComponent(s);
}

export interface HttpOptions {
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly fetch?: typeof fetch;
}

export class Http {
  readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: HttpOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    // called as a method of ours, a browser's fetch throws "Illegal invocation": bound to its global
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get apiKey(): string | undefined {
    return this.options.apiKey;
  }

  auth(): Record<string, string> {
    return this.options.apiKey ? { Authorization: `Bearer ${this.options.apiKey}` } : {};
  }

  /** a request; a non-2xx answer is thrown as a CodeboxError */
  async request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: RequestInit['body']; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const res = await this.fetchFn(`${this.base}${path}`, {
      method,
      headers: { ...this.auth(), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body, duplex: 'half' }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    if (!res.ok) throw await this.error(res);
    return res;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, {
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  async error(res: Response): Promise<CodeboxError> {
    const retry = res.headers.get('retry-after');
    let body: Partial<ApiErrorBody> = {};
    try {
      body = (await res.json()) as ApiErrorBody;
    } catch {
      // not our JSON shape (a proxy's page): the status says enough
    }
    return new CodeboxError(
      res.status,
      body.error?.code ?? 'HTTP_ERROR',
      body.error?.message ?? res.statusText,
      body.error?.details,
      retry ? Number(retry) : undefined,
    );
  }
}

/** one SSE block: `id:`, `event:`, `data:` lines; comments and blocks without data are skipped */
export function parseSse(block: string): { id: string; type: string; data: unknown } | undefined {
  let id = '';
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const at = line.indexOf(':');
    const field = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { id, type, data: JSON.parse(data.join('\n')) as unknown };
}

/** a response's Server-Sent Events, as they come */
export async function* sseEvents(res: Response): AsyncGenerator<{ id: string; type: string; data: unknown }> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const e = parseSse(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (e) yield e;
    }
  }
}
