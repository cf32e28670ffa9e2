/** A job is visible only to the key that created it: another key's is a 404, as is none. */
import type { JobStore, StoredJob } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';

const JOB_ID = /^[0-9a-f-]{36}$/;

/** the job, if it exists and belongs to `owner` */
export async function ownJob(
  d: { readonly store: JobStore },
  id: string | undefined,
  owner: string,
): Promise<StoredJob> {
  const job = id && JOB_ID.test(id) ? await d.store.get(id) : undefined;
  if (!job || job.owner !== owner) throw new ApiError('NOT_FOUND', `no job ${id}`);
  return job;
}
