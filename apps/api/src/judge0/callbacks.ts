/**
 * Judge0's callback_url, delivered by whichever API is alive: a submission with a callback
 * goes on a schedule in Redis (keys.judge0Callbacks()), and every API looks at what is due
 * once a second, leasing it so that one API delivers each. When the job has ended, its
 * default fields (base64) are PUT to the URL, tried again only when the request itself
 * fails (3 tries, 5 s each, as Judge0 does), and only where the callback policy allows
 * (callback-policy.ts): checked at submission and again at each try, on the
 * addresses the name has then, never following a redirect (callback-request.ts).
 * An API that dies holding a lease leaves it to run out (30 s), and another delivers: at
 * least once, never lost with an API process.
 * A submission is scheduled before its job exists (so that no job is without its
 * callback): a job not there yet is looked for again, up to CREATE_GRACE_MS.
 */
import type { Logger } from 'pino';
import { Schedule } from '@codebox/jobs';
import type { JobStore, Keys, RedisConnection } from '@codebox/jobs';
import { FINAL_STATUSES } from '@codebox/protocol';
import type { JobView, RuntimeInfo } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { checkCallbackUrl } from './callback-policy.js';
import type { CallbackPolicy } from './callback-policy.js';
import { putCallback } from './callback-request.js';
import { judge0Runtimes } from './runtimes.js';
import { readSubmission } from './submissions.js';
import { DEFAULT_FIELDS, renderSubmission } from './wire/index.js';
import type { Submission } from './wire/index.js';

const POLL_MS = 1_000;
/** deliveries (or looks) under way at once per API: a slow or silent URL holds one */
const MAX_IN_FLIGHT = 100;
/**
 * bodies held by deliveries under way per API: a body carries the job's output, up to a
 * few MiB, and a silent URL holds it for TRIES × TIMEOUT_MS; past this, callbacks wait
 */
const MAX_BYTES_IN_FLIGHT = 64 << 20;
/** a job is created just after its submission is scheduled: wait this long before giving up on it */
const CREATE_GRACE_MS = 60_000;
const TRIES = 3;
const TIMEOUT_MS = 5_000;
/** longer than TRIES × TIMEOUT_MS: a live API's lease never runs out under it */
const LEASE_MS = 30_000;

export interface CallbackDeps {
  readonly redis: RedisConnection;
  readonly store: JobStore;
  readonly keys: Keys;
  readonly catalog: CatalogReader;
  readonly log: Logger;
  /** where callbacks may go */
  readonly policy: CallbackPolicy;
}

export class Judge0Callbacks {
  private readonly schedule: Schedule;
  private inFlight = 0;
  private bytesInFlight = 0;

  constructor(private readonly d: CallbackDeps) {
    this.schedule = new Schedule(d.redis, d.keys.judge0Callbacks());
  }

  /** what is wrong with a callback URL as far as the URL alone tells (Judge0's 422 message), or undefined */
  urlProblem(url: string): string | undefined {
    const checked = checkCallbackUrl(this.d.policy, url);
    return checked.ok ? undefined : checked.problem;
  }

  /** the submission's callback is now the schedule's: it survives this process */
  async add(token: string): Promise<void> {
    await this.schedule.at(token, Date.now() + POLL_MS);
  }

  /** looks at what is due once a second until the returned stop is called */
  start(): () => void {
    const tick = async (): Promise<void> => {
      let due: string[];
      try {
        due = await this.schedule.lease(Date.now(), LEASE_MS, MAX_IN_FLIGHT - this.inFlight);
      } catch {
        return; // Redis away: the next tick asks again
      }
      for (const token of due) {
        this.inFlight++;
        // a failure here leaves the lease to run out: the callback is looked at again
        void this.one(token)
          .catch((err: unknown) => this.d.log.warn({ jobId: token, err }, 'judge0 callback deferred'))
          .finally(() => this.inFlight--);
      }
    };
    const timer = setInterval(() => void tick(), POLL_MS);
    return () => clearInterval(timer);
  }

  /** one due callback: delivered when its job has ended, else looked at again later or dropped */
  private async one(token: string): Promise<void> {
    const ended = await this.ended(token);
    if (!ended) return;
    const { submission, view, runtime } = ended;
    const body = JSON.stringify(renderSubmission(submission, view, runtime, DEFAULT_FIELDS, true));
    // one delivery always goes, however large: a cap must not stop them all
    if (this.bytesInFlight > 0 && this.bytesInFlight + body.length > MAX_BYTES_IN_FLIGHT)
      return this.later(token, POLL_MS);
    this.bytesInFlight += body.length;
    try {
      await this.deliver(submission, body);
    } finally {
      this.bytesInFlight -= body.length;
    }
    await this.schedule.done(token);
  }

  /**
   * The submission, its ended job and its runtime; else undefined, the callback scheduled
   * again (its job not ended, or not made yet; no worker that says what its language is)
   * or done with (expired, never queued, or its job never made).
   */
  private async ended(
    token: string,
  ): Promise<{ submission: Submission; view: JobView; runtime: RuntimeInfo } | undefined> {
    const stored = await readSubmission(this.d, token);
    if (!stored) {
      await this.schedule.done(token); // expired, or never queued
      return undefined;
    }
    const view = await this.d.store.get(token);
    if (!view) {
      // not created yet, or expired: nothing will end then
      await (Date.now() - stored.acceptedAt < CREATE_GRACE_MS ? this.later(token, POLL_MS) : this.schedule.done(token));
      return undefined;
    }
    if (!FINAL_STATUSES.has(view.status)) {
      await this.later(token, POLL_MS);
      return undefined;
    }
    const runtime = (await judge0Runtimes(this.d.catalog)).get(stored.submission.language_id);
    if (!runtime) {
      await this.later(token, 5 * POLL_MS); // no worker says yet what it is
      return undefined;
    }
    return { submission: stored.submission, view, runtime };
  }

  /** looked at again in ms */
  private later(token: string, ms: number): Promise<void> {
    return this.schedule.at(token, Date.now() + ms);
  }

  private async deliver(s: Submission, body: string): Promise<void> {
    const url = s.callback_url as string;
    for (let i = 0; i < TRIES; i++) {
      try {
        const d = await putCallback(url, body, { policy: this.d.policy, timeoutMs: TIMEOUT_MS });
        if (d.outcome === 'refused')
          return void this.d.log.warn(
            { jobId: s.token, url, why: d.why },
            'judge0 callback refused by the callback policy',
          );
        // delivered: where a redirect points is the answer's business, not a second delivery
        if (d.status >= 300 && d.status < 400)
          this.d.log.info(
            { jobId: s.token, url, status: d.status },
            'judge0 callback answered with a redirect, not followed',
          );
        return;
      } catch (err) {
        this.d.log.warn(
          { jobId: s.token, url, try: i + 1, err: (err as Error).message },
          'judge0 callback not delivered',
        );
      }
    }
  }
}
