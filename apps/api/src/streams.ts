/**
 * Followers of a job's events (SSE clients, ?wait=true, a DELETE waiting for the box to
 * go) each hold a Redis connection of their own while they block. They are counted, in
 * all and per key, so no client can open connections until Redis runs out: over a key's
 * share is 429, over the total 503, both with Retry-After. Package uploads in flight
 * (each spooled to a temp file) are counted by one of their own.
 */
import { ApiError } from '@codebox/protocol';

export class StreamLimiter {
  private total = 0;
  private readonly byOwner = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly perOwner: number,
    /** what is counted, as the refusals say it */
    private readonly what = 'open event streams and waits',
  ) {}

  /** a slot for this owner, or an ApiError; call the returned function exactly once */
  acquire(owner: string): () => void {
    const mine = this.byOwner.get(owner) ?? 0;
    if (mine >= this.perOwner)
      throw new ApiError(
        'RATE_LIMITED',
        `over ${this.perOwner} ${this.what} for this key`,
        { limit: this.perOwner },
        1,
      );
    if (this.total >= this.max)
      throw new ApiError('UNAVAILABLE', `over ${this.max} ${this.what}`, { limit: this.max }, 1);
    this.total++;
    this.byOwner.set(owner, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byOwner.get(owner) ?? 1) - 1;
      if (left === 0) this.byOwner.delete(owner);
      else this.byOwner.set(owner, left);
    };
  }
}
