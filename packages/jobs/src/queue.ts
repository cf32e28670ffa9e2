/**
 * The BullMQ queue of job ids. A queue entry carries the request; the job's state lives
 * in the store. Entries are removed when done (the store is the record), unless the
 * caller keeps the last few finished for a while (the queue dashboard lists them).
 */
import { Queue } from 'bullmq';
import type { RedisConnection } from './connection.js';
import type { JobRequest } from '@codebox/protocol';
import { QUEUE_NAME } from './keys.js';

export interface QueuedJob {
  readonly id: string;
  /** the runtime id the API resolved the request's language to */
  readonly runtime: string;
  readonly request: JobRequest;
  /** when the API accepted it (ms since the epoch), for the queue-wait histogram */
  readonly acceptedAt: number;
  /** stdin comes live from the client (the input stream) instead of request.stdin */
  readonly interactive?: boolean;
  /** judged against a stored problem: the version the API found for request.problem */
  readonly problem?: QueuedProblem;
}

/** a stored problem's version, pinned when the job was made */
export interface QueuedProblem {
  readonly owner: string;
  readonly id: string;
  readonly version: number;
  /** its definition's SHA-256: what a worker keeps it by */
  readonly digest: string;
}

export function createQueue(
  connection: RedisConnection,
  prefix: string,
  keepCompleted?: { count: number; ageS: number },
): Queue<QueuedJob> {
  return new Queue<QueuedJob>(QUEUE_NAME, {
    connection,
    prefix,
    // a processor that throws (Redis away for a moment) is tried again; the store's claim
    // makes that safe: before the claim the job simply runs, after it it is WORKER_LOST
    defaultJobOptions: {
      removeOnComplete: keepCompleted ? { count: keepCompleted.count, age: keepCompleted.ageS } : true,
      removeOnFail: { age: 3_600 },
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
    },
  });
}
