/**
 * Queueing a checked request as a new job: the one way every feature (native, Piston,
 * Judge0, Piston's socket) makes a job.
 */
import crypto from 'node:crypto';
import { ApiError, jobError } from '@codebox/protocol';
import type { QueuedProblem } from '@codebox/jobs';
import type { JobRequest, RuntimeInfo } from '@codebox/protocol';
import type { JobServiceDeps } from './deps.js';

export interface SubmitOptions {
  /** a job whose stdin comes live (Piston's socket) */
  readonly interactive?: boolean;
  /** the id, when the caller took it first (a follower's slot, a Judge0 token) */
  readonly id?: string;
  /** the stored problem the job is judged against, pinned (pinProblem) */
  readonly problem?: QueuedProblem;
}

/**
 * Queues a checked request as a new job of `owner`: 503 past the queue bound, and a job
 * that could not be queued is recorded as failed, never left queued. Returns its id.
 */
export async function submitJob(
  d: Pick<JobServiceDeps, 'store' | 'queue' | 'queueMax' | 'log'>,
  owner: string,
  request: JobRequest,
  runtime: RuntimeInfo,
  options: SubmitOptions = {},
): Promise<string> {
  const waiting = await d.queue.getWaitingCount();
  if (waiting >= d.queueMax)
    throw new ApiError('QUEUE_FULL', `the queue is full (${waiting} waiting)`, { waiting, max: d.queueMax }, 1);
  const id = options.id ?? crypto.randomUUID();
  await d.store.create(id, owner, runtime.id, runtime.version);
  try {
    await d.queue.add(
      'run',
      {
        id,
        runtime: runtime.id,
        request,
        acceptedAt: Date.now(),
        ...(options.interactive ? { interactive: true } : {}),
        ...(options.problem ? { problem: options.problem } : {}),
      },
      { jobId: id },
    );
  } catch (err) {
    await d.store
      .finish(id, 'failed', 'queued', { error: jobError('UNAVAILABLE', (err as Error).message) })
      .catch(() => undefined);
    throw new ApiError('UNAVAILABLE', `the job could not be queued: ${(err as Error).message}`, undefined, 1);
  }
  d.log.info(
    {
      jobId: id,
      owner,
      language: runtime.id,
      judge: request.tests !== undefined || request.problem !== undefined,
      ...(options.problem ? { problem: `${options.problem.id}@${options.problem.version}` } : {}),
      interactive: options.interactive === true,
    },
    'job queued',
  );
  return id;
}
