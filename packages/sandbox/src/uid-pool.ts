/**
 * Host uids for boxes, one per concurrent run: two boxes never share a uid, so even a
 * resource the kernel scopes by uid (signals, RLIMIT_NPROC, files in a shared place)
 * cannot cross from one run to another. acquire() waits when all are in use.
 */
export class UidPool {
  private readonly free: number[] = [];
  private readonly waiters: ((uid: number) => void)[] = [];
  private readonly quarantined = new Set<number>();

  constructor(base: number, count: number) {
    for (let i = count - 1; i >= 0; i--) this.free.push(base + i);
  }

  /** a free uid now, or undefined; never waits */
  tryAcquire(): number | undefined {
    return this.free.pop();
  }

  acquire(): Promise<number> {
    const uid = this.free.pop();
    if (uid !== undefined) return Promise.resolve(uid);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** takes a uid out of use for good (its box could not be torn down); the pool shrinks */
  quarantine(uid: number): void {
    this.quarantined.add(uid);
  }

  /** runs waiting for a uid now */
  get waiting(): number {
    return this.waiters.length;
  }

  get quarantinedCount(): number {
    return this.quarantined.size;
  }

  release(uid: number): void {
    const next = this.waiters.shift();
    if (next) next(uid);
    else this.free.push(uid);
  }
}
