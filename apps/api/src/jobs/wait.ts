/**
 * Waiting for a job's end: ?wait=true, Piston's execute, Judge0's wait=true and a DELETE
 * that waits for the box to go. A follower for a new job takes its slot before the job is
 * made, so that past the key's share of waits no job is made.
 */
import crypto from 'node:crypto';
import type { JobRequest, JobView, RuntimeInfo } from '@codebox/protocol';
import type { JobServiceDeps } from './deps.js';
import { follow } from './follow.js';
import type { Follower } from './follow.js';
import { submitJob } from './submit.js';
import type { SubmitOptions } from './submit.js';

type FollowDeps = Pick<JobServiceDeps, 'streams' | 'store' | 'limiter'>;

/** a follower for a job about to be made: its id and its slot, taken before the job exists */
export function followNew(
  d: FollowDeps,
  owner: string,
  gone: AbortSignal,
  boundMs?: number,
  id: string = crypto.randomUUID(),
): { id: string; f: Follower } {
  return { id, f: follow(d, id, owner, gone, boundMs) };
}

/**
 * A new job and its follower: the slot first, then the job; a job that could not be made
 * gives its slot back. boundMs undefined: followed until the client goes.
 */
export async function submitFollowed(
  d: JobServiceDeps,
  owner: string,
  request: JobRequest,
  runtime: RuntimeInfo,
  wait: { readonly gone: AbortSignal; readonly boundMs?: number },
  options: SubmitOptions = {},
): Promise<{ id: string; f: Follower }> {
  const { id, f } = followNew(d, owner, wait.gone, wait.boundMs, options.id);
  try {
    await submitJob(d, owner, request, runtime, { ...options, id });
  } catch (err) {
    f.end();
    throw err;
  }
  return { id, f };
}

/** the job's view from its `result` event, or undefined when the follower ends first */
export async function resultOf(f: Follower): Promise<JobView | undefined> {
  try {
    let after = '0';
    while (!f.ended) {
      for (const e of await f.read(after, 5_000)) {
        after = e.id;
        if (e.event.type === 'result') return e.event.data;
      }
    }
    return undefined;
  } finally {
    f.end();
  }
}

/** follows the job's events until its `result` event, for at most ms; undefined past it */
export async function waitForEnd(
  d: FollowDeps,
  id: string,
  owner: string,
  gone: AbortSignal,
  ms: number,
): Promise<JobView | undefined> {
  return resultOf(follow(d, id, owner, gone, ms));
}
