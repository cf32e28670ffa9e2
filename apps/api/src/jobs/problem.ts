/**
 * A job's stored problem, pinned when the job is made: "id" becomes its latest version,
 * "id@version" that version, both the key's own; another key's, or none, is a 404.
 */
import type { ProblemStore, QueuedProblem } from '@codebox/jobs';
import { ApiError, parseProblemRef } from '@codebox/protocol';

export async function pinProblem(
  d: { readonly problems: ProblemStore },
  owner: string,
  ref: string,
): Promise<QueuedProblem> {
  const { id, version } = parseProblemRef(ref);
  const found = await d.problems.resolve(owner, id, version);
  if (!found) throw new ApiError('NOT_FOUND', `no problem ${ref}`, { field: 'problem' });
  return { owner, id, version: found.version, digest: found.digest };
}
