/**
 * Why the engine refused or failed a job, as the wire says it: a request the engine
 * refused (a limit below a runtime's floor…) is INVALID_REQUEST; a failure of the sandbox
 * itself is INTERNAL with the step that failed (SandboxError's code, kept, not flattened
 * into the message); anything else is INTERNAL.
 */
import { jobError } from '@codebox/protocol';
import type { JobError, SandboxFailure } from '@codebox/protocol';
import { LimitError, SandboxError, SpecError } from '@codebox/sandbox';
import type { SandboxErrorCode } from '@codebox/sandbox';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const failuresAgree: Same<SandboxErrorCode, SandboxFailure> = true;
void failuresAgree;

export function jobErrorOf(err: unknown): JobError {
  if (err instanceof SpecError || err instanceof LimitError) return jobError('INVALID_REQUEST', err.message);
  if (err instanceof SandboxError) return jobError('INTERNAL', err.message, err.code);
  return jobError('INTERNAL', err instanceof Error ? err.message : String(err));
}
