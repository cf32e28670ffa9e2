/**
 * A submission as kept beside its job, in Redis under keys.judge0Submission(token): whose
 * it is, what was asked, and when. It lives as long as the job's record is kept at most
 * (the job's expires resultTtlS after its end, and the submission goes with it). The
 * routes read it with its owner's check; the callbacks read it to deliver.
 */
import type { JobStore, Keys, RedisConnection } from '@codebox/jobs';
import type { JobView } from '@codebox/protocol';
import type { Submission } from './wire/index.js';

const RECORD_TTL_S = 86_400;
const TOKEN = /^[0-9a-f-]{36}$/;

/** what is kept of a submission beside its job: whose it is, what was asked, and when (ms) */
export interface StoredSubmission {
  owner: string;
  submission: Submission;
  acceptedAt: number;
}

export interface SubmissionsDeps {
  readonly redis: RedisConnection;
  readonly keys: Keys;
}

export async function saveSubmission(d: SubmissionsDeps, owner: string, submission: Submission): Promise<void> {
  await d.redis.set(
    d.keys.judge0Submission(submission.token),
    JSON.stringify({ owner, submission, acceptedAt: Date.now() } satisfies StoredSubmission),
    'EX',
    RECORD_TTL_S,
  );
}

export async function dropSubmission(d: SubmissionsDeps, token: string): Promise<void> {
  await d.redis.del(d.keys.judge0Submission(token));
}

/** the submission as kept, whoever's it is; undefined when expired or never made */
export async function readSubmission(d: SubmissionsDeps, token: string): Promise<StoredSubmission | undefined> {
  const raw = await d.redis.get(d.keys.judge0Submission(token));
  return raw ? (JSON.parse(raw) as StoredSubmission) : undefined;
}

/** a submission and its job, when both are there and `owner` is the submission's */
export async function ownSubmission(
  d: SubmissionsDeps & { readonly store: JobStore },
  token: string,
  owner: string,
): Promise<{ s: Submission; view: JobView } | undefined> {
  const stored = TOKEN.test(token) ? await readSubmission(d, token) : undefined;
  if (!stored || stored.owner !== owner) return undefined;
  const view = await d.store.get(token);
  return view ? { s: stored.submission, view } : undefined;
}
