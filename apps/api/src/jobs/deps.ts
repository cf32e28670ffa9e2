/**
 * What the job service works with: the job store and the queue in Redis, and the limiter
 * every follower takes a slot of. Each feature's deps extend it; each function of the
 * service asks only for the part it uses.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { JobStore, ProblemStore, QueuedJob, RedisConnection, StreamHub } from '@codebox/jobs';
import type { StreamLimiter } from '../streams.js';

export interface JobServiceDeps {
  readonly redis: RedisConnection;
  readonly store: JobStore;
  /** stored problems, which judge jobs name */
  readonly problems: ProblemStore;
  readonly queue: Queue<QueuedJob>;
  /** jobs waiting in the queue before new ones are refused (QUEUE_FULL) */
  readonly queueMax: number;
  readonly limiter: StreamLimiter;
  /** the blocking reads of every follower and session call, on one connection */
  readonly streams: StreamHub;
  readonly log: Logger;
}
