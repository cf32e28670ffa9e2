/**
 * The service's liveness and lock timings, declared once, with the rules between them
 * checked when this module loads: a set that breaks one is a mistake in this file, and no
 * process starts with it.
 *
 * A worker that dies (kill -9, a host lost) holds its queue entries' locks until they
 * expire; the next stalled check on any live worker puts them back on the queue, and the
 * claim decides: run if the job's code had not started; if it had, look at its worker's
 * heartbeat every ownerCheckMs and fail it WORKER_LOST after two looks without a beat. So
 * a dead worker's job ends within lockMs + stalledCheckMs + 2 × ownerCheckMs, plus
 * BullMQ's moving of delayed entries (about 25 s in all), once a live worker has a free
 * slot.
 */
export interface Timings {
  /** a worker announces itself (its record, its score in the live set) this often */
  readonly heartbeatMs: number;
  /** a worker's record lives this long after its last beat */
  readonly workerRecordTtlMs: number;
  /** the API counts a worker alive (ready, its runtimes offered) this long after its last beat */
  readonly workerFreshMs: number;
  /** a job's BullMQ lock; its worker renews it every lockMs / 2 */
  readonly lockMs: number;
  /** how often every worker looks for entries whose lock ran out */
  readonly stalledCheckMs: number;
  /** a running job whose entry came back looks at its worker's heartbeat again after this */
  readonly ownerCheckMs: number;
  /** two looks closer than this (by Redis's clock) judge nothing */
  readonly ownerLookGapMs: number;
  /** how often running jobs' cancel flags are read (the pub/sub message is the fast path) */
  readonly cancelPollMs: number;
  /**
   * a session's worker is lost once its heartbeat has not moved for this long, by Redis's
   * clock (session-scripts.ts SESSION_CHECK): no two hosts' clocks are compared
   */
  readonly sessionLostMs: number;
  /** a call waiting on a session's reply looks at its worker's heartbeat this often */
  readonly sessionPollMs: number;
}

export const TIMINGS: Timings = {
  heartbeatMs: 2_000,
  workerRecordTtlMs: 15_000,
  workerFreshMs: 15_000,
  lockMs: 8_000,
  stalledCheckMs: 4_000,
  ownerCheckMs: 5_000,
  ownerLookGapMs: 4_000,
  cancelPollMs: 1_000,
  sessionLostMs: 8_000,
  sessionPollMs: 1_000,
};

/**
 * How long a call to a session waits at most, once its worker has died, before it answers
 * SESSION_LOST: the worker's last beat is seen within a poll, found unmoved sessionLostMs
 * later, by a look at most a poll after that. From the later of the death and the call's
 * start; at once when the worker's record has expired (workerRecordTtlMs after its last beat).
 */
export function sessionLostBoundMs(t: Timings): number {
  return t.sessionLostMs + 2 * t.sessionPollMs;
}

/** the rules, each a sentence saying why; the broken ones */
export function timingProblems(t: Timings): string[] {
  const rules: [boolean, string][] = [
    [
      t.ownerCheckMs > 2 * t.heartbeatMs,
      'ownerCheckMs must be over two heartbeats: a live worker has beaten between two looks',
    ],
    [
      t.ownerLookGapMs > t.heartbeatMs,
      'ownerLookGapMs must be over a heartbeat: looks that close could both fall between beats',
    ],
    [
      t.ownerLookGapMs < t.ownerCheckMs,
      'ownerLookGapMs must be under ownerCheckMs: else two looks ownerCheckMs apart judge nothing',
    ],
    [
      t.workerFreshMs > 2 * t.heartbeatMs,
      'workerFreshMs must be over two heartbeats: one late beat must not make a worker look gone',
    ],
    [
      t.workerRecordTtlMs >= t.workerFreshMs,
      'workerRecordTtlMs must be at least workerFreshMs: a fresh worker has a record',
    ],
    [
      t.lockMs / 2 > t.heartbeatMs,
      'lockMs / 2 (its renewal) must be over a heartbeat: renewing is not the tighter loop',
    ],
    [
      t.stalledCheckMs <= t.lockMs,
      'stalledCheckMs must be at most lockMs: an expired lock is found within another lock time',
    ],
    [
      t.sessionLostMs > 3 * t.heartbeatMs,
      'sessionLostMs must be over three heartbeats: a worker late by a beat or two still holds its sessions',
    ],
    [t.sessionPollMs < t.heartbeatMs, 'sessionPollMs must be under a heartbeat: a waiting call sees each beat'],
    [
      t.cancelPollMs < t.heartbeatMs,
      'cancelPollMs must be under a heartbeat: a lost cancel message costs less than a beat',
    ],
  ];
  return rules.filter(([ok]) => !ok).map(([, why]) => why);
}

const problems = timingProblems(TIMINGS);
if (problems.length > 0) throw new Error(`codebox timings: ${problems.join('; ')}`);
