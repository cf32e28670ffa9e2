/**
 * The session service: who may see a session (its key alone: another's is a 404), a call
 * to its worker through Redis (SessionCall), and a new session placed on a worker with
 * room. No Express here: routes.ts and pty.ts do the HTTP and the WebSocket.
 *
 * Placement: the live workers that hold sessions, most room first. The record is made
 * (starting) on the first, within its key's count; the worker opens the box and makes it
 * ready. A worker that filled meanwhile refuses (SESSIONS_FULL) and the record moves to
 * the next; when every one has refused, or none has room, 503 SESSIONS_FULL with
 * Retry-After. An open that takes longer than OPEN_MS is given up: the record ends
 * open-failed, and a worker that opens it late finds it so and closes the box.
 */
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { notReady, SessionCall, sessionView, TIMINGS } from '@codebox/jobs';
import type { Keys, RedisConnection, ReplyFrame, SessionRecord, SessionStore, StreamHub } from '@codebox/jobs';
import { ApiError, checkSessionRequest } from '@codebox/protocol';
import type { SessionStatus, SessionView } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import type { StreamLimiter } from '../streams.js';

export interface SessionServiceDeps {
  readonly redis: RedisConnection;
  /** the session calls' blocking reads, on the process's one connection for them */
  readonly streams: StreamHub;
  readonly sessions: SessionStore;
  readonly keys: Keys;
  readonly catalog: CatalogReader;
  readonly limiter: StreamLimiter;
  readonly log: Logger;
  /** sessions a key may hold at once */
  readonly sessionsPerKey: number;
}

/** how long a worker may take to open a session's box, its files written */
const OPEN_MS = 60_000;
/** a full fleet: when to try again */
const FULL_RETRY_AFTER_S = 5;
const SESSION_ID = /^[0-9a-f-]{36}$/;

/** the session, if it exists and is `owner`'s */
export async function ownSession(d: SessionServiceDeps, id: string | undefined, owner: string): Promise<SessionRecord> {
  const record = id && SESSION_ID.test(id) ? await d.sessions.get(id) : undefined;
  if (!record || record.owner !== owner) throw new ApiError('SESSION_NOT_FOUND', `no session ${id}`);
  return record;
}

/** a ready session whose worker is alive, else SESSION_LOST or SESSION_NOT_FOUND */
export async function liveSession(
  d: SessionServiceDeps,
  id: string | undefined,
  owner: string,
): Promise<SessionRecord> {
  const record = await ownSession(d, id, owner);
  const status = record.status === 'ready' ? await d.sessions.check(record, TIMINGS.sessionLostMs) : record.status;
  if (status !== 'ready') throw notReady(status, record.id);
  return record;
}

/**
 * A call to a ready session, started: it holds one of the key's stream slots (a blocking
 * connection) until it is closed. The caller closes it on every path.
 */
export async function startCall(
  d: SessionServiceDeps,
  record: SessionRecord,
  op: string,
  args: unknown,
  check: () => Promise<SessionStatus | 'missing'> = () => d.sessions.check(record, TIMINGS.sessionLostMs),
): Promise<SessionCall> {
  const release = d.limiter.acquire(record.owner);
  const call = new SessionCall(
    { redis: d.redis, reader: d.streams.reader(), keys: d.keys, check, pollMs: TIMINGS.sessionPollMs },
    record.worker,
    record.id,
    op,
    args,
  );
  const close = call.close.bind(call);
  call.close = () => {
    close();
    release();
  };
  try {
    await call.start();
  } catch (err) {
    call.close();
    throw err;
  }
  return call;
}

/** an error frame as the API's answer */
export function frameError(f: Extract<ReplyFrame, { kind: 'error' }>): ApiError {
  return new ApiError(f.error.code, f.error.message, f.error.details);
}

/** a call's end value: large values come as body frames first (the worker's endWithValue) */
export async function valueOf(call: SessionCall): Promise<unknown> {
  const body: Buffer[] = [];
  for (let f = await call.next(); f; f = await call.next()) {
    if (f.kind === 'error') throw frameError(f);
    if (f.kind === 'data') body.push(f.bytes);
    if (f.kind === 'end') {
      const v = f.value as { body?: boolean } | null;
      return v && v.body === true ? (JSON.parse(Buffer.concat(body).toString()) as unknown) : v;
    }
  }
  throw new ApiError('INTERNAL', 'the call ended without an answer');
}

/** a call that answers with a value, start to end */
export async function callValue(
  d: SessionServiceDeps,
  record: SessionRecord,
  op: string,
  args: unknown,
): Promise<unknown> {
  const call = await startCall(d, record, op, args);
  try {
    return await valueOf(call);
  } finally {
    call.close();
  }
}

/** a session's view: a live one's usage and idle end from its worker, an ended one's from its record */
export async function viewOf(
  d: SessionServiceDeps,
  id: string | undefined,
  owner: string,
  op = 'info',
): Promise<SessionView> {
  const record = await ownSession(d, id, owner);
  if (record.status === 'ended') return sessionView(record);
  const live = await liveSession(d, id, owner);
  try {
    const info = (await callValue(d, live, op, null)) as { usage?: SessionView['usage']; idleExpiresAtMs?: number };
    return sessionView(live, {
      ...(info.usage ? { usage: info.usage } : {}),
      ...(info.idleExpiresAtMs ? { idleExpiresAtMs: info.idleExpiresAtMs } : {}),
    });
  } catch (err) {
    // it ended while we asked: its record says how
    const now = await d.sessions.get(live.id);
    if (err instanceof ApiError && err.code === 'SESSION_NOT_FOUND' && now?.status === 'ended') return sessionView(now);
    throw err;
  }
}

/** a new session, placed and open: its view */
export async function createSession(d: SessionServiceDeps, owner: string, body: unknown): Promise<SessionView> {
  const catalog = await d.catalog.read();
  if (!catalog.sessions)
    throw new ApiError(
      'UNAVAILABLE',
      'no live worker holds sessions (CODEBOX_SESSIONS)',
      undefined,
      FULL_RETRY_AFTER_S,
    );
  const resolved = checkSessionRequest(body, { runtimes: catalog.runtimes, policy: catalog.sessions });
  const { request } = resolved;
  const candidates = catalog.workers
    .filter((w) => w.sessions && w.sessions.open < w.sessions.capacity)
    .filter((w) => !resolved.runtime || w.runtimes.some((rt) => rt.id === resolved.runtime?.id))
    .sort(
      (a, b) =>
        (b.sessions?.capacity ?? 0) - (b.sessions?.open ?? 0) - ((a.sessions?.capacity ?? 0) - (a.sessions?.open ?? 0)),
    );
  if (candidates.length === 0) throw full();
  const now = Date.now();
  const record = {
    id: crypto.randomUUID(),
    owner,
    worker: candidates[0]!.id,
    ...(resolved.runtime ? { language: resolved.runtime.id } : {}),
    network: request.network === true,
    limits: resolved.limits,
    idleTimeoutS: resolved.idleTimeoutS,
    ttlS: resolved.ttlS,
    createdAtMs: now,
    expiresAtMs: now + resolved.ttlS * 1000,
  };
  const made = await d.sessions.create(record, d.sessionsPerKey);
  if (made === 'limit')
    throw new ApiError(
      'SESSION_LIMIT',
      `this key holds ${d.sessionsPerKey} sessions: end one first`,
      { limit: d.sessionsPerKey },
      FULL_RETRY_AFTER_S,
    );
  if (made !== 'created') throw new ApiError('INTERNAL', 'a new session id was taken');
  const args = {
    id: record.id,
    owner,
    ...(record.language ? { language: record.language } : {}),
    limits: record.limits,
    network: record.network,
    ...(request.env ? { env: request.env } : {}),
    idleTimeoutS: record.idleTimeoutS,
    ttlS: record.ttlS,
    expiresAtMs: record.expiresAtMs,
    hasFiles: (request.files?.length ?? 0) > 0,
  };
  const files = request.files?.length ? Buffer.from(JSON.stringify(request.files)) : undefined;
  let worker = record.worker;
  try {
    for (const [i, w] of candidates.entries()) {
      if (i > 0 && !(await d.sessions.move(record.id, worker, w.id))) break;
      worker = w.id;
      const opened = await openOn(d, { ...record, worker, status: 'starting' }, args, files);
      if (opened === 'ready') {
        d.log.info({ sessionId: record.id, owner, worker }, 'session opened');
        return sessionView({ ...record, worker, status: 'ready' });
      }
    }
    throw full();
  } catch (err) {
    await d.sessions.end(record, 'open-failed', '').catch(() => undefined);
    throw err;
  }
}

/** asks one worker to open it: 'ready', or 'full' (try the next); anything else throws */
async function openOn(
  d: SessionServiceDeps,
  record: SessionRecord,
  args: unknown,
  files: Buffer | undefined,
): Promise<'ready' | 'full'> {
  // while it opens the record is starting: the worker's own record says whether it lives
  const alive = async (): Promise<SessionStatus> =>
    (await d.redis.exists(d.keys.worker(record.worker))) === 1 ? 'ready' : 'lost';
  const call = await startCall(d, record, 'open', args, alive);
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    call.close();
  }, OPEN_MS);
  try {
    const f = await (async () => {
      if (files) {
        await call.send('body', files);
        await call.eof('body');
      }
      return call.next();
    })().catch((err: unknown) => {
      if (late)
        throw new ApiError('UNAVAILABLE', `the worker took more than ${OPEN_MS} ms to open the session`, undefined, 1);
      // a worker lost while it opened: the next one may
      if (err instanceof ApiError && err.code === 'SESSION_LOST') return undefined;
      throw err;
    });
    if (!f) return 'full';
    if (f.kind === 'error') {
      if (f.error.code === 'SESSIONS_FULL') return 'full';
      throw frameError(f);
    }
    return 'ready';
  } finally {
    clearTimeout(timer);
    call.close();
  }
}

function full(): ApiError {
  return new ApiError('SESSIONS_FULL', undefined, undefined, FULL_RETRY_AFTER_S);
}
