/**
 * Sessions in Redis: a hash per session (its state, owner, worker, limits, times, end)
 * and, per owner, a sorted set of its open sessions (the per-key count). The API creates
 * a record (starting) and moves it to the next worker when one refuses; the worker makes
 * it ready and ends it; any caller may find its worker lost (session-scripts.ts). A ready
 * record lives its lifetime plus retentionS; an ended or lost one retentionS more.
 */
import { defineScript } from './connection.js';
import type { RedisConnection, ScriptFn } from './connection.js';
import type { SessionEndReason, SessionLimits, SessionStatus, SessionUsageJson, SessionView } from '@codebox/protocol';
import { Keys } from './keys.js';
import { SESSION_CHECK, SESSION_CREATE, SESSION_END, SESSION_MOVE, SESSION_READY } from './session-scripts.js';

export interface SessionRecord {
  readonly id: string;
  readonly status: SessionStatus;
  readonly owner: string;
  readonly worker: string;
  readonly language?: string;
  readonly network: boolean;
  readonly limits: SessionLimits;
  readonly idleTimeoutS: number;
  readonly ttlS: number;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly endedAtMs?: number;
  readonly endReason?: SessionEndReason;
  readonly usage?: SessionUsageJson;
}

export type NewSession = Omit<SessionRecord, 'status' | 'endedAtMs' | 'endReason' | 'usage'>;

export interface SessionStoreOptions {
  /** how long an ended session's record is kept, s */
  readonly retentionS: number;
  /** how long a record may stay starting (its API placing it), s */
  readonly startingTtlS: number;
}

export const DEFAULT_SESSION_STORE_OPTIONS: SessionStoreOptions = { retentionS: 3_600, startingTtlS: 120 };

export class SessionStore {
  readonly keys: Keys;
  private readonly scripts: Record<'create' | 'move' | 'ready' | 'end' | 'check', ScriptFn>;

  constructor(
    private readonly redis: RedisConnection,
    readonly prefix: string,
    private readonly opts: SessionStoreOptions = DEFAULT_SESSION_STORE_OPTIONS,
  ) {
    this.keys = new Keys(prefix);
    this.scripts = {
      create: defineScript(redis, 'codeboxSessionCreate', SESSION_CREATE, 2),
      move: defineScript(redis, 'codeboxSessionMove', SESSION_MOVE, 1),
      ready: defineScript(redis, 'codeboxSessionReady', SESSION_READY, 1),
      end: defineScript(redis, 'codeboxSessionEnd', SESSION_END, 2),
      check: defineScript(redis, 'codeboxSessionCheck', SESSION_CHECK, 4),
    };
  }

  /** the record, starting on its first worker, unless its owner holds maxPerOwner sessions already */
  async create(s: NewSession, maxPerOwner: number): Promise<'created' | 'exists' | 'limit'> {
    const fields: Record<string, string> = {
      network: s.network ? '1' : '0',
      limits: JSON.stringify(s.limits),
      idleTimeoutS: String(s.idleTimeoutS),
      ttlS: String(s.ttlS),
      createdAtMs: String(s.createdAtMs),
      expiresAtMs: String(s.expiresAtMs),
      ...(s.language === undefined ? {} : { language: s.language }),
    };
    return (await this.scripts.create(
      this.keys.session(s.id),
      this.keys.ownerSessions(s.owner),
      s.id,
      s.owner,
      s.worker,
      JSON.stringify(fields),
      s.expiresAtMs,
      maxPerOwner,
      this.opts.startingTtlS,
      this.prefix,
    )) as never;
  }

  /** a starting session to the next worker; false when it is no longer starting on `from` */
  async move(id: string, from: string, to: string): Promise<boolean> {
    return (await this.scripts.move(this.keys.session(id), from, to)) === 1;
  }

  /** the worker's word that the box is open; anything but 'ready' means: close it */
  async ready(id: string, worker: string, ttlS: number): Promise<string> {
    return (await this.scripts.ready(this.keys.session(id), worker, ttlS + this.opts.retentionS)) as string;
  }

  /** the session's end; worker '' ends it whoever holds it (the API giving up a start) */
  async end(
    record: Pick<SessionRecord, 'id' | 'owner'>,
    reason: SessionEndReason,
    worker: string,
    usage?: SessionUsageJson,
  ): Promise<string> {
    return (await this.scripts.end(
      this.keys.session(record.id),
      this.keys.ownerSessions(record.owner),
      record.id,
      reason,
      usage ? JSON.stringify(usage) : '',
      this.opts.retentionS,
      worker,
    )) as string;
  }

  /** is a ready session's worker alive (session-scripts.ts SESSION_CHECK)? */
  async check(record: SessionRecord, lostAfterMs: number): Promise<SessionStatus | 'missing'> {
    const k = this.keys;
    return (await this.scripts.check(
      k.session(record.id),
      k.workers(),
      k.worker(record.worker),
      k.ownerSessions(record.owner),
      record.id,
      lostAfterMs,
    )) as never;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return parseRecord(id, await this.redis.hgetall(this.keys.session(id)));
  }

  /** the statuses of these sessions, in order (undefined: no record): a worker's look at its own */
  async statuses(ids: readonly string[]): Promise<(SessionStatus | undefined)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.session(id), 'status');
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, v]) => (err || v === null ? undefined : (v as SessionStatus)));
  }
}

export function parseRecord(id: string, h: Record<string, string>): SessionRecord | undefined {
  if (!h.status || !h.owner) return undefined;
  return {
    id,
    status: h.status as SessionStatus,
    owner: h.owner,
    worker: h.worker ?? '',
    ...(h.language ? { language: h.language } : {}),
    network: h.network === '1',
    limits: JSON.parse(h.limits ?? '{}') as SessionLimits,
    idleTimeoutS: Number(h.idleTimeoutS),
    ttlS: Number(h.ttlS),
    createdAtMs: Number(h.createdAtMs),
    expiresAtMs: Number(h.expiresAtMs),
    ...(h.endedAtMs ? { endedAtMs: Number(h.endedAtMs) } : {}),
    ...(h.endReason ? { endReason: h.endReason as SessionEndReason } : {}),
    ...(h.usage ? { usage: JSON.parse(h.usage) as SessionUsageJson } : {}),
  };
}

/** a session as its owner sees it, from its record (a live one's usage and idle end come from its worker) */
export function sessionView(
  r: SessionRecord,
  live: { usage?: SessionUsageJson; idleExpiresAtMs?: number } = {},
): SessionView {
  const usage = live.usage ?? r.usage;
  return {
    id: r.id,
    status: r.status,
    ...(r.language === undefined ? {} : { language: r.language }),
    network: r.network,
    limits: r.limits,
    idleTimeoutS: r.idleTimeoutS,
    ttlS: r.ttlS,
    createdAt: new Date(r.createdAtMs).toISOString(),
    expiresAt: new Date(r.expiresAtMs).toISOString(),
    ...(live.idleExpiresAtMs === undefined ? {} : { idleExpiresAt: new Date(live.idleExpiresAtMs).toISOString() }),
    ...(r.endedAtMs === undefined ? {} : { endedAt: new Date(r.endedAtMs).toISOString() }),
    ...(r.endReason === undefined ? {} : { endReason: r.endReason }),
    ...(usage ? { usage } : {}),
  };
}
