/**
 * Launchers started ahead of need. A run's critical path otherwise holds the fork and
 * exec of prlimit and bwrap (about 2.5 ms from Node) and the launcher's move into the
 * box's new cgroup, which waits for an RCU grace period when moves have been idle (up to
 * 10 ms here). A prestarted launcher has done both: it waits on `--args` for its options,
 * already inside its box's cgroup.
 *
 * Every launcher is alike (plan/argv.ts: the policy's rlimit ceilings, lowered per run
 * by the box init), so one pool serves every run, whatever its limits, root or command;
 * what differs per run — the cgroup's limits, the mounts, the seccomp filter, the files
 * and the command — comes when it is taken. A run that finds every uid held gets one
 * back from a spare (surrender).
 */
import type { BoxCgroup, BoxLimits, CgroupManager } from './cgroup/driver.js';
import { spawnLauncher } from './launch.js';
import type { Launcher } from './launch.js';
import type { Limits } from './limits.js';
import type { UidPool } from './uid-pool.js';

export interface Prestarted {
  readonly name: string;
  readonly uid: number;
  /** the limits its cgroup has now */
  readonly limits: BoxLimits;
  /** the box's group, the waiting launcher already in it */
  readonly cgroup: BoxCgroup;
  readonly launcher: Launcher;
}

export interface PrestartDeps {
  readonly uids: UidPool;
  readonly cgroups: CgroupManager;
  /** every launcher's argv (plan/argv.ts launcherArgv) */
  readonly argv: readonly string[];
  /** spares kept waiting */
  readonly spares: number;
  /** the limits a spare's cgroup starts with (most runs keep them) */
  readonly limits: Limits;
  readonly newName: () => string;
  readonly onError: (err: Error) => void;
}

/** the box's cgroup limits; its launcher (bwrap's monitor, outside the box) is one more process */
export function boxLimits(limits: Limits): BoxLimits {
  return { memoryBytes: limits.memoryBytes, pids: limits.pids + 1, cpus: limits.cpus };
}

export function sameLimits(a: BoxLimits, b: BoxLimits): boolean {
  return a.memoryBytes === b.memoryBytes && a.pids === b.pids && a.cpus === b.cpus;
}

export class PrestartPool {
  private readonly spares: Prestarted[] = [];
  private filling = 0;
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: PrestartDeps) {}

  /** a ready launcher, if one is waiting */
  take(): Prestarted | undefined {
    for (let p = this.spares.shift(); p; p = this.spares.shift()) {
      if (p.launcher.usable()) return p;
      this.track(this.discard(p));
    }
    return undefined;
  }

  /** gives up a spare, so its uid serves a run that needs one */
  async surrender(): Promise<boolean> {
    const p = this.spares.shift();
    if (!p) return false;
    await this.discard(p);
    return true;
  }

  /** starts spares in the background, up to the pool's size */
  fill(): void {
    const want = this.deps.spares - this.spares.length - this.filling;
    for (let i = 0; i < want && !this.closed; i++) {
      this.filling++;
      const work = this.prepare()
        .then((p) => {
          if (!p) return;
          if (this.closed) return this.discard(p);
          this.spares.push(p);
        })
        .catch((err: Error) => this.report(err))
        .finally(() => this.filling--);
      this.track(work);
    }
  }

  /** spares waiting now */
  get size(): number {
    return this.spares.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    for (const p of this.spares.splice(0)) await this.discard(p);
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

  private async prepare(): Promise<Prestarted | undefined> {
    const uid = this.deps.uids.tryAcquire();
    if (uid === undefined) return undefined; // every uid is running a box: no spare now
    const name = this.deps.newName();
    let cgroup: BoxCgroup | undefined;
    let launcher: Launcher | undefined;
    try {
      const limits = boxLimits(this.deps.limits);
      cgroup = await this.deps.cgroups.createBox(name, limits);
      launcher = spawnLauncher({ argv: this.deps.argv, uid, gid: uid });
      await cgroup.addProcess(await launcher.pid());
      return { name, uid, limits, cgroup, launcher };
    } catch (err) {
      await launcher?.dispose();
      try {
        await cgroup?.destroy();
        this.deps.uids.release(uid);
      } catch {
        this.deps.uids.quarantine(uid);
      }
      throw err;
    }
  }

  private async discard(p: Prestarted): Promise<void> {
    await p.launcher.dispose();
    try {
      await p.cgroup.destroy();
      this.deps.uids.release(p.uid);
    } catch (err) {
      this.deps.uids.quarantine(p.uid);
      this.report(err as Error);
    }
  }
}
