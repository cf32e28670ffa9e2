/**
 * Recording a job's end, so that no job that ran is left `running`. A Redis that is away
 * is waited for (the connection's commands wait for it); an error that passes is tried
 * again, backing off. An end that cannot be written — its JSON cannot be made, Redis
 * refuses it (over its maxmemory: OOM), or the tries run out — is written instead as a
 * failed end without result (RESULT_NOT_STORED, saying why; an end that had no result
 * keeps its own error), small, in a way Redis takes even over maxmemory.
 */
import type { Logger } from 'pino';
import { refusedByRedis } from '@codebox/jobs';
import type { JobStore } from '@codebox/jobs';
import { jobError } from '@codebox/protocol';
import type { JobError, JudgeJson, ResultJson } from '@codebox/protocol';

export type EndStore = Pick<JobStore, 'finish' | 'failWithoutResult'>;

export type EndStatus = 'completed' | 'failed' | 'cancelled';

export interface EndOutcome {
  result?: ResultJson;
  judge?: JudgeJson;
  error?: JobError;
}

/** 7 tries backing off from 200 ms: ~12 s in all */
export const END_RETRY = { tries: 7, backoffMs: 200 };

/**
 * True when an end was recorded (this one, or the failed end in its place); a job that was
 * no longer running (ended by another, or expired) is logged, as its end is the other's.
 * False when nothing could be written: the caller says so.
 */
export async function recordEnd(
  store: EndStore,
  log: Logger,
  id: string,
  status: EndStatus,
  outcome: EndOutcome,
  retry = END_RETRY,
  abandon?: AbortSignal,
): Promise<boolean> {
  const why = await tryEnd(() => store.finish(id, status, 'running', outcome), log, id, status, retry, abandon);
  if (why === undefined) return true;
  log.error({ jobId: id, status, err: why }, "could not record the job's end: recording it failed without its result");
  const hasResult = outcome.result !== undefined || outcome.judge !== undefined;
  const error = hasResult || !outcome.error ? jobError('RESULT_NOT_STORED', String(why)) : outcome.error;
  const fallback = await tryEnd(() => store.failWithoutResult(id, error), log, id, 'failed', retry, abandon);
  if (fallback === undefined) return true;
  log.error({ jobId: id, err: fallback }, "could not record the job's end at all");
  return false;
}

/**
 * undefined once written (or found no longer running), else the error that stopped it;
 * `abandon` stops it at once (a write waiting for a Redis that is gone included)
 */
async function tryEnd(
  write: () => Promise<boolean>,
  log: Logger,
  id: string,
  status: EndStatus,
  retry: typeof END_RETRY,
  abandon?: AbortSignal,
): Promise<Error | undefined> {
  const onAbort = (): void => reject(new Error('given up: the worker is stopping'));
  let reject: (err: Error) => void = () => undefined;
  const givenUp = new Promise<never>((_, r) => (reject = r));
  givenUp.catch(() => undefined);
  if (abandon?.aborted) onAbort();
  abandon?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let i = 0; ; i++) {
      try {
        if (!(await Promise.race([write(), givenUp])))
          log.warn({ jobId: id, status }, 'job was no longer running: this end not recorded');
        return undefined;
      } catch (err) {
        // a result too large to make (RangeError) or that Redis refuses fails the same way again
        if (
          abandon?.aborted ||
          err instanceof RangeError ||
          err instanceof TypeError ||
          refusedByRedis(err) ||
          i + 1 >= retry.tries
        )
          return err instanceof Error ? err : new Error(`not an Error: ${typeof err}`);
        await Promise.race([
          new Promise((r) => setTimeout(r, retry.backoffMs * 2 ** i)),
          givenUp.catch(() => undefined),
        ]);
      }
    }
  } finally {
    // the signal lives as long as the worker: a listener left here would be kept for good, one a job
    abandon?.removeEventListener('abort', onAbort);
  }
}
