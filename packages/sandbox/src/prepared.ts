/**
 * Boxes set up ahead of need. A run's critical path otherwise holds everything before its
 * program starts: the fork and exec of prlimit and bwrap, the launcher's move into the
 * box's new cgroup (which waits for an RCU grace period when moves have been idle), the
 * work dir's mount, bwrap's namespaces, mounts and seccomp filter, and the box init's
 * start. A prepared box has done all of that: its init waits, inside the box, for the one
 * command it will run (box-open.ts prepareBox); it is then destroyed as any box is.
 *
 * What a run may change on a prepared box is fitted when it is taken (its cgroup's limits,
 * its work dir's size; rlimits are the init's to set anyway); what it cannot — the root,
 * the network's filter, the size of /tmp — is its key, and the pool keeps boxes for the
 * keys runs asked for last. A run whose key has no box waiting is set up as before, and
 * the pool makes one of that key for the next run. The pool never waits for a uid nor
 * keeps one a run waits for: a waiting box gives its up (surrender), and so does one that
 * is made while a run waits.
 */
import type { BoxKey, BoxRequest, OpenedBox } from './box-types.js';
import { keyName } from './box-types.js';
import type { Limits } from './limits.js';

export interface PreparedDeps {
  /** set a box up, taking a uid only if one is free now */
  readonly prepare: (req: BoxRequest) => Promise<OpenedBox | undefined>;
  /** boxes kept waiting per key */
  readonly spares: number;
  /** the limits a waiting box is made with (most runs keep them) */
  readonly limits: Limits;
  /** the key ready at start: the default root and network */
  readonly firstKey: BoxKey;
  /** whether a run waits for a uid now: a box made meanwhile gives its uid up at once */
  readonly runsWaitForUid: () => boolean;
  readonly onError: (err: Error) => void;
}

/** keys kept at once: the last ones runs asked for */
const KEYS = 2;

export class PreparedPool {
  private readonly ready = new Map<string, OpenedBox[]>();
  private readonly filling = new Map<string, number>();
  /** the keys to keep boxes for, most recent last */
  private keys: BoxKey[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: PreparedDeps) {
    this.want(deps.firstKey);
  }

  /** a waiting box of this key, if there is one (and the key becomes one to keep) */
  take(key: BoxKey): OpenedBox | undefined {
    this.want(key);
    const list = this.ready.get(keyName(key)) ?? [];
    for (let b = list.shift(); b; b = list.shift()) {
      if (usable(b)) return b;
      this.track(this.discard(b));
    }
    return undefined;
  }

  /** makes boxes in the background, up to `spares` for each key kept */
  fill(): void {
    for (const key of this.keys) {
      const name = keyName(key);
      const want = this.deps.spares - (this.ready.get(name)?.length ?? 0) - (this.filling.get(name) ?? 0);
      for (let i = 0; i < want && !this.closed; i++) {
        this.filling.set(name, (this.filling.get(name) ?? 0) + 1);
        const work = this.deps
          .prepare({ ...key, limits: { ...this.deps.limits, tmpBytes: key.tmpBytes }, uidNow: true })
          .then(async (b) => {
            if (!b) return;
            b.prepared = true;
            if (this.closed || this.deps.runsWaitForUid() || !this.keys.some((k) => keyName(k) === name))
              return this.discard(b);
            const list = this.ready.get(name) ?? [];
            list.push(b);
            this.ready.set(name, list);
          })
          .finally(() => this.filling.set(name, (this.filling.get(name) ?? 1) - 1));
        this.track(work);
      }
    }
  }

  /** gives up a waiting box, so its uid serves a run that needs one */
  async surrender(): Promise<boolean> {
    for (const list of this.ready.values()) {
      const b = list.shift();
      if (b) {
        await this.discard(b);
        return true;
      }
    }
    return false;
  }

  /** resolves when no box is being made or thrown away */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** boxes waiting now */
  get size(): number {
    let n = 0;
    for (const list of this.ready.values()) n += list.length;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    for (const list of this.ready.values()) for (const b of list.splice(0)) await this.discard(b);
  }

  private want(key: BoxKey): void {
    const name = keyName(key);
    const kept = this.keys.filter((k) => keyName(k) !== name);
    kept.push(key);
    const dropped = kept.splice(0, Math.max(0, kept.length - KEYS));
    this.keys = kept;
    // boxes of a key no longer asked for free their uids
    for (const k of dropped) for (const b of this.ready.get(keyName(k))?.splice(0) ?? []) this.track(this.discard(b));
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: Error) => this.report(err)).finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private report(err: Error): void {
    try {
      this.deps.onError(err);
    } catch {
      // a throwing observer must not become an unhandled rejection
    }
  }

  private async discard(b: OpenedBox): Promise<void> {
    b.box.init.close();
    await b.cleanup.run();
  }
}

/** its box still waiting: bwrap and the init alive, the channel open */
function usable(b: OpenedBox): boolean {
  return b.box.child.exitCode === null && b.box.child.signalCode === null;
}
