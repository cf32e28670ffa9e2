/**
 * What the live workers offer: their runtimes and limits, read from Redis and kept for a
 * second, so a burst of requests does not read them each time.
 */
import { liveWorkers, unionRuntimes } from '@codebox/jobs';
import type { Keys, RedisConnection, WorkerRecord } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';
import type { LimitMaxima, RequestContext, RuntimeInfo, SessionPolicy } from '@codebox/protocol';

const CACHE_MS = 1_000;

export interface Catalog {
  readonly workers: WorkerRecord[];
  readonly runtimes: RuntimeInfo[];
  readonly limits: WorkerRecord['limits'] | undefined;
  /** what a session may ask (the first worker that holds sessions says); undefined: none does */
  readonly sessions: SessionPolicy | undefined;
}

export class CatalogReader {
  private cached: { at: number; value: Catalog } | undefined;
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: Keys,
    private readonly freshMs: number,
  ) {}

  async read(): Promise<Catalog> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.value;
    const workers = await liveWorkers(this.redis, this.keys, this.freshMs);
    const value = {
      workers,
      runtimes: unionRuntimes(workers),
      limits: workers[0]?.limits,
      sessions: workers.find((w) => w.sessions)?.sessions?.policy,
    };
    this.cached = { at: Date.now(), value };
    return value;
  }

  /** what requests are checked against: the runtimes and the maxima; 503 while no worker has said */
  async requestContext(): Promise<RequestContext> {
    const c = await this.read();
    if (!c.limits) throw new ApiError('UNAVAILABLE', 'no worker is running: jobs cannot be accepted yet', undefined, 5);
    return {
      runtimes: c.runtimes,
      maxima: { run: c.limits.run.maxima as LimitMaxima, compile: c.limits.compile.maxima as LimitMaxima },
    };
  }
}
