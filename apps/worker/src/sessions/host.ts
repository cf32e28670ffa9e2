/**
 * A worker's sessions: it opens them through the engine when an API places one here, serves
 * every call that comes through its inbox (a handler per operation), and ends each — on
 * DELETE, its idle timeout (from the end of its last call; a call in progress, an open
 * terminal included, holds it), its lifetime, its box ending on its own, or the worker's
 * stop — with the engine's close, which kills and removes everything in the box, and its
 * record marked ended. Everything a session holds is released on every path.
 *
 * The record is the truth: a session this worker holds whose record is no longer ready
 * (found lost while this worker could not beat, say) is closed here too (reconcile).
 */
import type { Logger } from 'pino';
import type { SessionStore, WorkerCall } from '@codebox/jobs';
import type { SessionLimits, SessionPolicy, SessionUsageJson } from '@codebox/protocol';
import { BASE_ENV } from '@codebox/runtimes';
import type { Registry, Runtime } from '@codebox/runtimes';
import type { FileSpec } from '@codebox/sandbox';
import type { WorkerMetrics } from '../metrics.js';
import { exec, kill, processes, processOutput } from './commands.js';
import type { Handler, HandlerContext, HostedSession } from './context.js';
import { readInput } from './context.js';
import type { SessionEngine, SessionUsage } from './engine.js';
import { callError, refuse } from './errors.js';
import { download, list, mkdir, readFile, remove, upload, writeFile } from './files.js';
import { engineLimits } from './policy.js';
import { pty } from './terminal.js';

/** what the API sends to open a session (its files follow as the call's input, JSON) */
export interface OpenArgs {
  readonly id: string;
  readonly owner: string;
  readonly language?: string;
  readonly limits: SessionLimits;
  readonly network: boolean;
  readonly env?: Record<string, string>;
  readonly idleTimeoutS: number;
  readonly ttlS: number;
  readonly expiresAtMs: number;
  readonly hasFiles: boolean;
}

export interface SessionHostDeps {
  readonly workerId: string;
  readonly engine: SessionEngine;
  readonly store: SessionStore;
  readonly policy: SessionPolicy;
  /** sessions this worker holds at once */
  readonly capacity: number;
  readonly registry: Registry<Runtime>;
  /** the boxes' root directory (undefined: the host's) */
  readonly rootfs: string | undefined;
  /** the root has bash (a shell line runs in it), else sh */
  readonly bash: boolean;
  /** the most bytes of files an open may bring (the API's body limit bounds them first) */
  readonly openBytes: number;
  readonly metrics: WorkerMetrics;
  readonly log: Logger;
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  exec,
  processes,
  process: processOutput,
  kill,
  read: readFile,
  write: writeFile,
  remove,
  mkdir,
  list,
  download,
  upload,
  pty,
};

export class SessionHost {
  private readonly sessions = new Map<string, HostedSession>();
  private opening = 0;
  private closing = false;
  private readonly ctx: HandlerContext;

  constructor(private readonly d: SessionHostDeps) {
    this.ctx = { policy: d.policy, registry: d.registry, shell: d.bash ? ['bash', '-c'] : ['sh', '-c'], log: d.log };
    d.metrics.sessions.set({ state: 'capacity' }, d.capacity);
    d.metrics.sessions.set({ state: 'open' }, 0);
  }

  /** sessions held and being opened: what the worker's record advertises */
  get open(): number {
    return this.sessions.size + this.opening;
  }

  /** every call from the inbox; each ends with a value or an error, whatever happens */
  readonly handle = (call: WorkerCall): void => {
    void this.serve(call).catch((err: unknown) =>
      this.d.log.error({ err, op: call.op }, 'a session call failed to end'),
    );
  };

  private async serve(call: WorkerCall): Promise<void> {
    if (call.op === 'open') return this.served(call, () => this.openSession(call));
    const s = this.sessions.get(call.sessionId);
    if (!s || s.ending) {
      await call.fail({ code: 'SESSION_NOT_FOUND', message: `no session ${call.sessionId} on this worker` });
      return;
    }
    this.begin(s);
    try {
      await this.served(call, () => this.op(s, call));
    } finally {
      this.finish(s);
    }
  }

  /** runs a call's work; a throw is its error frame (a failed write of that is the caller gone) */
  private async served(call: WorkerCall, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.d.metrics.sessionCalls.inc({ op: call.op, outcome: 'ok' });
    } catch (err) {
      this.d.metrics.sessionCalls.inc({ op: call.op, outcome: 'error' });
      const e = callError(err, (call.args as { path?: string } | null)?.path);
      if (e.code === 'INTERNAL')
        this.d.log.error({ err, op: call.op, sessionId: call.sessionId }, 'session call failed');
      await call.fail(e).catch(() => undefined);
    } finally {
      call.done();
    }
  }

  private async op(s: HostedSession, call: WorkerCall): Promise<void> {
    switch (call.op) {
      case 'close':
        await this.end(s, 'deleted');
        return call.end({ usage: s.usage });
      case 'info':
      case 'keepalive':
        return call.end({ usage: usageJson(await s.session.usage()), idleExpiresAtMs: Date.now() + s.idleTimeoutMs });
      default: {
        const handler = HANDLERS[call.op];
        if (!handler) throw refuse('INVALID_REQUEST', `no operation ${call.op}`);
        return handler(this.ctx, s, call);
      }
    }
  }

  private async openSession(call: WorkerCall): Promise<void> {
    const a = call.args as OpenArgs;
    if (this.closing || this.open >= this.d.capacity)
      throw refuse('SESSIONS_FULL', `worker ${this.d.workerId} holds ${this.open} sessions`, {
        worker: this.d.workerId,
      });
    this.opening++;
    try {
      const t0 = performance.now();
      const files = a.hasFiles
        ? (JSON.parse(
            (
              await readInput(call, this.d.openBytes, () => refuse('BODY_TOO_LARGE', 'the files are over the limit'))
            ).toString(),
          ) as { name: string; content: string; encoding?: string }[])
        : [];
      const session = await this.d.engine.openSession({
        limits: engineLimits(a.limits),
        network: a.network ? 'loopback' : 'none',
        ...(this.d.rootfs === undefined ? {} : { rootfs: this.d.rootfs }),
        env: { ...BASE_ENV, ...a.env },
        files: files.map((f): FileSpec => ({
          path: f.name,
          content: f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : f.content,
        })),
      });
      const ready = await this.d.store.ready(a.id, this.d.workerId, a.ttlS).catch((err: unknown) => {
        void session.close().catch(() => undefined);
        throw err;
      });
      if (ready !== 'ready') {
        // its API gave up on it meanwhile (or placed it elsewhere): nobody will use this box
        await session.close().catch(() => undefined);
        throw refuse('SESSION_NOT_FOUND', `session ${a.id} is ${ready}, not starting here`);
      }
      const s: HostedSession = {
        id: a.id,
        owner: a.owner,
        session,
        language: a.language,
        idleTimeoutMs: a.idleTimeoutS * 1000,
        expiresAtMs: a.expiresAtMs,
        processes: new Map(),
        active: 0,
        terminals: 0,
        idleAtMs: Date.now() + a.idleTimeoutS * 1000,
        idleTimer: undefined,
        lifeTimer: undefined,
        ending: undefined,
      };
      this.sessions.set(s.id, s);
      this.d.metrics.sessions.set({ state: 'open' }, this.sessions.size);
      this.d.metrics.sessionOpen.observe((performance.now() - t0) / 1000);
      s.lifeTimer = setTimeout(() => void this.end(s, 'ttl'), Math.max(0, a.expiresAtMs - Date.now()));
      this.finish(s); // the idle timeout starts now
      void session.ended.then(
        () => void this.end(s, 'box-ended'),
        () => void this.end(s, 'box-ended'),
      );
      this.d.log.info({ sessionId: s.id, owner: s.owner, limits: a.limits, network: a.network }, 'session opened');
      await call.end({ ready: true });
    } finally {
      this.opening--;
    }
  }

  /** a call starts: the idle timeout waits */
  private begin(s: HostedSession): void {
    s.active++;
    clearTimeout(s.idleTimer);
    s.idleTimer = undefined;
  }

  /** a call ends: with none left, the idle timeout runs from now */
  private finish(s: HostedSession): void {
    s.active = Math.max(0, s.active - 1);
    if (s.active > 0 || s.ending) return;
    s.idleAtMs = Date.now() + s.idleTimeoutMs;
    s.idleTimer = setTimeout(() => void this.end(s, 'idle'), s.idleTimeoutMs);
  }

  /**
   * The session's end, once: its box closed by the engine (everything in it killed and
   * removed), its record marked ended with why and its usage. `record: false` when the
   * record already says it is over (reconcile).
   */
  end(
    s: HostedSession,
    reason: 'deleted' | 'idle' | 'ttl' | 'worker-stopped' | 'box-ended',
    record = true,
  ): Promise<void> {
    s.ending ??= (async () => {
      clearTimeout(s.idleTimer);
      clearTimeout(s.lifeTimer);
      let usage: SessionUsageJson | undefined;
      try {
        usage = usageJson((await s.session.close()).usage);
      } catch (err) {
        this.d.log.error({ err, sessionId: s.id }, 'closing a session failed');
      }
      s.usage = usage;
      this.sessions.delete(s.id);
      this.d.metrics.sessions.set({ state: 'open' }, this.sessions.size);
      this.d.metrics.sessionsEnded.inc({ reason });
      if (record)
        await this.d.store.end(s, reason, this.d.workerId, usage).catch((err: unknown) => {
          this.d.log.warn({ err, sessionId: s.id }, "a session's end could not be recorded");
        });
      this.d.log.info({ sessionId: s.id, reason, usage }, 'session ended');
    })();
    return s.ending;
  }

  /** sessions whose records say they are over (lost while this worker was away from Redis) are closed */
  async reconcile(): Promise<void> {
    const held = [...this.sessions.values()].filter((s) => !s.ending);
    const statuses = await this.d.store.statuses(held.map((s) => s.id));
    held.forEach((s, i) => {
      if (statuses[i] !== 'ready') void this.end(s, 'worker-stopped', false);
    });
  }

  /** the worker stops: no new session, and every one ends now */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.sessions.values()].map((s) => this.end(s, 'worker-stopped')));
  }
}

function usageJson(u: SessionUsage): SessionUsageJson {
  return {
    cpuMs: u.cpuMs,
    memoryBytes: u.memoryBytes,
    memoryPeakBytes: u.memoryPeakBytes,
    processes: u.processes,
    workDirBytes: u.workDirBytes,
    oomKills: u.oomKills,
  };
}
