/**
 * Every Redis key codebox uses, in one place. A job's record and its event stream carry
 * the job id in braces so that, on Redis Cluster, the Lua scripts that touch both find
 * them in one slot; the prefix may carry a hash tag of its own ({codebox}) to put the
 * whole of codebox, BullMQ's queue included, in one slot.
 */
export class Keys {
  constructor(readonly prefix: string) {}
  /** hash: status, owner, language, version, times, result, error */
  job(id: string): string {
    return `${this.prefix}:job:{${id}}`;
  }
  /** stream: status, stdout, stderr, result events, in order */
  events(id: string): string {
    return `${this.prefix}:job:{${id}}:events`;
  }
  /** stream: an interactive job's input from its client (stdin data, signals) */
  input(id: string): string {
    return `${this.prefix}:job:{${id}}:input`;
  }
  /** zset: worker id → last heartbeat (ms) */
  workers(): string {
    return `${this.prefix}:workers`;
  }
  /** string (JSON, with a TTL): what a worker offers */
  worker(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }
  /** pub/sub: job ids whose running box must be killed */
  cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }
  /** string (JSON, with a TTL): a Judge0 submission as asked, and whose it is */
  judge0Submission(token: string): string {
    return `${this.prefix}:judge0:{${token}}`;
  }
  /** zset: Judge0 submissions whose callback is pending → when each is next looked at (ms) */
  judge0Callbacks(): string {
    return `${this.prefix}:judge0:callbacks`;
  }
  /** string: one chunk of a problem's blobs, by its SHA-256 (problems.ts); no TTL once a version holds it */
  blobChunk(sha256: string): string {
    return `${this.prefix}:blob:${sha256}`;
  }
  /** hash: chunk SHA-256 → how many problem versions hold it */
  blobRefs(): string {
    return `${this.prefix}:blob-refs`;
  }
  /** hash: an owner's problem, its versions (v:N definition, h:N digest, c:N chunks), next, latest */
  problem(owner: string, id: string): string {
    return `${this.prefix}:problem:${owner}:${id}`;
  }
  /** set: an owner's problem ids */
  problems(owner: string): string {
    return `${this.prefix}:problems:${owner}`;
  }

  /** the bytes of an owner's stored versions, each counted in full (its quota's measure) */
  problemBytes(owner: string): string {
    return `${this.prefix}:problem-bytes:${owner}`;
  }
  /** hash per UTC day (YYYY-MM-DD): Judge0 submissions made that day, `total` and per `language:<id>` */
  judge0Stats(day: string): string {
    return `${this.prefix}:judge0:stats:${day}`;
  }
  /** hash: a session's record — status, owner, worker, limits, times, end (session-store.ts) */
  session(id: string): string {
    return `${this.prefix}:session:{${id}}`;
  }
  /** zset: an owner's open sessions → when each expires (ms): the per-key count */
  ownerSessions(owner: string): string {
    return `${this.prefix}:sessions:${owner}`;
  }
  /**
   * stream: what the APIs send a worker for its sessions — requests, their input, acks of
   * its replies (session-transport.ts); its TTL is renewed by the worker's heartbeat
   */
  workerInbox(workerId: string): string {
    return `${this.prefix}:worker:${workerId}:inbox`;
  }
  /** stream: a worker's reply to one session request, read by the API that sent it */
  sessionReply(requestId: string): string {
    return `${this.prefix}:session-reply:{${requestId}}`;
  }
  /** counter per key and window */
  rate(owner: string, window: number): string {
    return `${this.prefix}:rate:${owner}:${window}`;
  }
}

export const QUEUE_NAME = 'jobs';
