/**
 * What a Redis error means for trying again. Redis answered, and would answer the same:
 * it is over its maxmemory (OOM), or the command or script is wrong (ERR, WRONGTYPE,
 * NOPERM) — refused. Anything else passes: a connection dropped, a Redis loading its data,
 * busy with a script or failing over (LOADING, BUSY, TRYAGAIN, CLUSTERDOWN, MASTERDOWN,
 * READONLY). A MULTI with a refused command fails as EXECABORT, carrying the refusals.
 */
interface ReplyErrorLike {
  name?: string;
  message?: string;
  previousErrors?: unknown[];
}

export function refusedByRedis(err: unknown): boolean {
  return replyMatches(err, /^(OOM|ERR|WRONGTYPE|NOPERM)\b/);
}

/** Redis is over its maxmemory (under noeviction: until results expire or are read away) */
export function redisFull(err: unknown): boolean {
  return replyMatches(err, /^OOM\b/);
}

function replyMatches(err: unknown, code: RegExp): boolean {
  const e = err as ReplyErrorLike | undefined;
  if (e?.name !== 'ReplyError') return false;
  const message = e.message ?? '';
  if (message.startsWith('EXECABORT')) return (e.previousErrors ?? []).some((p) => replyMatches(p, code));
  return code.test(message);
}
