/**
 * Jobs in Redis: a hash per job (its state, result and owner) and a stream of its events.
 * The API creates and cancels; a worker starts, streams output and finishes. Both read.
 * Records expire: jobTtlS from creation (a job that waits longer is gone), resultTtlS
 * from the end.
 */
import { defineScript } from './connection.js';
import type { RedisConnection, ScriptFn } from './connection.js';
import type {
  JobError,
  JobEvent,
  JobStatus,
  JobView,
  JudgeJson,
  OutputChunk,
  ResultJson,
  StageEvent,
  TestJson,
} from '@codebox/protocol';
import { Keys } from './keys.js';
import { CREATE, FAIL_WITHOUT_RESULT, FINISH, OWNER_CHECK, REQUEST_CANCEL, START } from './scripts.js';

export interface StoreOptions {
  /** how long a job record lives before it finishes */
  readonly jobTtlS: number;
  /** how long a finished job's record, result and events are kept */
  readonly resultTtlS: number;
  /** events kept per job (approximately: XADD MAXLEN ~) */
  readonly streamMaxLen: number;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = { jobTtlS: 86_400, resultTtlS: 3_600, streamMaxLen: 10_000 };

export interface StoredJob extends JobView {
  readonly owner: string;
  readonly cancelRequested: boolean;
}

export type JobInput = { type: 'stdin'; data: string } | { type: 'signal'; signal: string };

/** one event as read from the stream: its id is the SSE event id */
export interface StoredEvent {
  readonly id: string;
  readonly event: JobEvent;
}

export class JobStore {
  readonly keys: Keys;
  private readonly scripts: Record<
    'create' | 'start' | 'ownerCheck' | 'finish' | 'failWithoutResult' | 'requestCancel',
    ScriptFn
  >;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly opts: StoreOptions = DEFAULT_STORE_OPTIONS,
  ) {
    this.keys = new Keys(prefix);
    const define = (name: string, lua: string, numberOfKeys: number): ScriptFn =>
      defineScript(redis, name, lua, numberOfKeys);
    this.scripts = {
      create: define('codeboxCreate', CREATE, 2),
      start: define('codeboxStart', START, 2),
      ownerCheck: define('codeboxOwnerCheck', OWNER_CHECK, 2),
      finish: define('codeboxFinish', FINISH, 2),
      failWithoutResult: define('codeboxFailWithoutResult', FAIL_WITHOUT_RESULT, 2),
      requestCancel: define('codeboxRequestCancel', REQUEST_CANCEL, 1),
    };
  }

  async create(id: string, owner: string, language: string, version: string, createdAt = new Date()): Promise<boolean> {
    const k = this.keys;
    const status = JSON.stringify({ status: 'queued' });
    const r = await this.scripts.create(
      k.job(id),
      k.events(id),
      owner,
      language,
      version,
      createdAt.toISOString(),
      status,
      this.opts.jobTtlS,
      this.opts.streamMaxLen,
    );
    return r === 1;
  }

  /** the worker's claim, before any of the job's code runs; claimToken is new for each try */
  async start(
    id: string,
    worker: string,
    claimToken: string,
  ): Promise<'started' | 'cancelled' | 'lost' | 'missing' | JobStatus> {
    const k = this.keys;
    return (await this.scripts.start(
      k.job(id),
      k.events(id),
      worker,
      new Date().toISOString(),
      JSON.stringify({ status: 'running' }),
      this.opts.streamMaxLen,
      claimToken,
    )) as never;
  }

  /** a job claimed by another try: is its worker alive (scripts.ts OWNER_CHECK)? looks judge lookGapMs apart */
  async ownerCheck(id: string, worker: string, lookGapMs: number): Promise<'ended' | 'mine' | 'alive' | 'dead'> {
    return (await this.scripts.ownerCheck(this.keys.job(id), this.keys.workers(), worker, lookGapMs)) as never;
  }

  /**
   * The last word on a job: its final status, result and error, then the `status` and
   * `result` events. `from` is the status it must still be in; false when it was not.
   */
  async finish(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    from: 'running' | 'queued',
    outcome: { result?: ResultJson; judge?: JudgeJson; error?: JobError } = {},
  ): Promise<boolean> {
    const current = await this.get(id);
    if (!current) return false;
    const finishedAt = new Date().toISOString();
    // the result event names the end; the result itself is stored once, in the hash, and
    // readers add it (withResult) — a 4 MiB result is not kept twice
    const { result: _r, judge: _j, ...rest } = publicView(current);
    const view: JobView = { ...rest, status, finishedAt, ...(outcome.error ? { error: outcome.error } : {}) };
    const k = this.keys;
    const r = await this.scripts.finish(
      k.job(id),
      k.events(id),
      status,
      finishedAt,
      outcome.result ? JSON.stringify(outcome.result) : '',
      outcome.error ? JSON.stringify(outcome.error) : '',
      JSON.stringify({ status, ...(outcome.error ? { error: outcome.error } : {}) }),
      JSON.stringify(view),
      this.opts.resultTtlS,
      this.opts.streamMaxLen,
      from,
      outcome.judge ? JSON.stringify(outcome.judge) : '',
    );
    return r === 1;
  }

  /**
   * A running job's end as failed with `error` and no result, small, written even over
   * Redis's maxmemory (scripts.ts FAIL_WITHOUT_RESULT): for an end that could not be
   * written otherwise. Its event stream's output goes; false when it was not running.
   */
  async failWithoutResult(id: string, error: JobError): Promise<boolean> {
    const current = await this.get(id);
    if (!current) return false;
    const finishedAt = new Date().toISOString();
    const { result: _r, judge: _j, ...rest } = publicView(current);
    const view: JobView = { ...rest, status: 'failed', finishedAt, error };
    const k = this.keys;
    const r = await this.scripts.failWithoutResult(
      k.job(id),
      k.events(id),
      finishedAt,
      JSON.stringify(error),
      JSON.stringify({ status: 'failed', error }),
      JSON.stringify(view),
      this.opts.resultTtlS,
      this.opts.streamMaxLen,
    );
    return r === 1;
  }

  /**
   * Cancels: a queued job is finished as cancelled here (it will never run: a worker that
   * takes it finds it cancelled); a running one is flagged, and its worker told to kill it.
   */
  async cancel(id: string): Promise<'cancelled' | 'cancelling' | 'finished' | 'missing'> {
    const k = this.keys;
    const status = (await this.scripts.requestCancel(k.job(id))) as string;
    if (status === 'missing') return 'missing';
    if (status === 'queued') {
      if (await this.finish(id, 'cancelled', 'queued')) return 'cancelled';
      return this.cancel(id); // a worker took it meanwhile: cancel it as running
    }
    if (status === 'running') {
      await this.redis.publish(k.cancelChannel(), id);
      return 'cancelling';
    }
    return 'finished';
  }

  async get(id: string): Promise<StoredJob | undefined> {
    const h = await this.redis.hgetall(this.keys.job(id));
    if (!h.status) return undefined;
    return {
      id,
      status: h.status as JobStatus,
      language: h.language ?? '',
      version: h.version ?? '',
      createdAt: h.createdAt ?? '',
      ...(h.startedAt ? { startedAt: h.startedAt } : {}),
      ...(h.finishedAt ? { finishedAt: h.finishedAt } : {}),
      ...(h.result ? { result: JSON.parse(h.result) as ResultJson } : {}),
      ...(h.judge ? { judge: JSON.parse(h.judge) as JudgeJson } : {}),
      ...(h.error ? { error: JSON.parse(h.error) as JobError } : {}),
      owner: h.owner ?? '',
      cancelRequested: h.cancelRequested === '1',
    };
  }

  /** a `result` event as clients get it: the job's view with its result */
  async withResult(event: StoredEvent): Promise<StoredEvent> {
    if (event.event.type !== 'result') return event;
    const job = await this.get(event.event.data.id);
    return job ? { id: event.id, event: { type: 'result', data: publicView(job) } } : event;
  }

  async cancelRequested(id: string): Promise<boolean> {
    return (await this.redis.hget(this.keys.job(id), 'cancelRequested')) === '1';
  }

  /** judge mode: one test's result, as it finishes */
  async appendTest(id: string, test: TestJson): Promise<void> {
    await this.append(id, 'test', test);
  }

  async appendStage(id: string, stage: StageEvent): Promise<void> {
    await this.append(id, 'stage', stage);
  }

  async appendOutput(id: string, stream: 'stdout' | 'stderr', chunk: OutputChunk): Promise<void> {
    await this.append(id, stream, chunk);
  }

  private async append(id: string, type: JobEvent['type'], data: unknown): Promise<void> {
    await this.redis.xadd(
      this.keys.events(id),
      'MAXLEN',
      '~',
      this.opts.streamMaxLen,
      '*',
      'type',
      type,
      'data',
      JSON.stringify(data),
    );
  }

  /**
   * An interactive job's input, from its client to its worker: stdin bytes, or a signal
   * (which ends the run). Kept as long as the job's other records.
   */
  async sendInput(id: string, input: JobInput): Promise<void> {
    const key = this.keys.input(id);
    // an hour: input is read as it comes, and input sent after the job's end is for no one
    await this.redis
      .multi()
      .xadd(key, 'MAXLEN', '~', this.opts.streamMaxLen, '*', 'input', JSON.stringify(input))
      .expire(key, 3_600)
      .exec();
  }

  /** input after `afterId`, waiting up to blockMs, on a connection of its own */
  async readInput(
    id: string,
    afterId: string,
    blockMs: number,
    conn: RedisConnection,
  ): Promise<{ id: string; input: JobInput }[]> {
    const reply = await conn.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', this.keys.input(id), afterId);
    return (reply?.[0]?.[1] ?? []).map(([eid, fields]) => ({
      id: eid,
      input: JSON.parse(fields[1] ?? 'null') as JobInput,
    }));
  }

  /** the events already there after `afterId` ('0' for all); to wait for new ones, a StreamReader reads eventsKey */
  async readEvents(id: string, afterId: string): Promise<StoredEvent[]> {
    const reply = await this.redis.xread('COUNT', 1000, 'STREAMS', this.keys.events(id), afterId);
    return eventsOf(reply?.[0]?.[1] ?? []);
  }

  /** the stream of a job's events */
  eventsKey(id: string): string {
    return this.keys.events(id);
  }
}

/** a job's events from its stream's entries, as XREAD (or a StreamReader) gives them */
export function eventsOf(entries: readonly [id: string, fields: readonly (string | Buffer)[]][]): StoredEvent[] {
  return entries.map(([eid, fields]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!.toString()] = fields[i + 1]!.toString();
    return { id: eid, event: { type: f.type, data: JSON.parse(f.data ?? 'null') as unknown } as JobEvent };
  });
}

/** a job as its owner sees it: without the owner and internal flags */
export function publicView(job: StoredJob | JobView): JobView {
  const { owner: _o, cancelRequested: _c, ...view } = job as StoredJob;
  return view;
}
