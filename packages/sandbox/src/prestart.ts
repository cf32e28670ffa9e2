/**
 * Launchers started ahead of need. A run's critical path otherwise holds the fork and
 * exec of prlimit and bwrap (about 2.5 ms from Node) and the move of the box into its
 * new cgroup, which waits for an RCU grace period when moves have been idle (up to
 * 10 ms here). A prestarted launcher has done both: bwrap waits on `--args` for its
 * options, already inside the box's cgroup, so the box it clones is born there.
 *
 * What is fixed at prestart: the uid, the cgroup, and the rlimits (prlimit sets them
 * before bwrap starts), so spares are kept per rlimit set, for the few sets last used.
 * Everything else (mounts, env, argv via the trampoline, seccomp) comes at start.
 * A run takes a spare only where that changes nothing it can see (suitsSpare); a run
 * that finds every uid held gets one back from a spare (surrender).
 */
import type { BoxCgroup, BoxLimits, CgroupManager } from './cgroup/driver.js';
import { spawnLauncher, LAUNCH_FDS } from './launch.js';
import type { Launcher } from './launch.js';
import type { Limits } from './limits.js';
import { prestartArgv, rlimitArgs } from './plan/argv.js';
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
  readonly prlimitPath: string;
  readonly bwrapPath: string;
  /** spares kept per rlimit set */
  readonly perKey: number;
  readonly newName: () => string;
  readonly onError: (err: Error) => void;
}

/** rlimit sets with spares at once; the least recently used beyond this lose theirs */
const MAX_KEYS = 4;

/** past these, the trampoline's argv rebuild (quadratic in sh) or bwrap's option cap bite */
const MAX_ARGS = 256;
const MAX_ARGV_BYTES = 64 * 1024;

/**
 * Whether a run behaves exactly the same through a spare's trampoline as through its own
 * launcher: the host root (the trampoline needs /bin/sh and /usr/bin/env), a command
 * name env cannot mistake for a NAME=VALUE, a modest argv and environment.
 */
export function suitsSpare(spec: { rootfs: string | undefined; argv: readonly string[]; env: Readonly<Record<string, string>> }): boolean {
  if (spec.rootfs !== undefined) return false;
  if ((spec.argv[0] ?? '').includes('=')) return false;
  const entries = Object.entries(spec.env);
  if (spec.argv.length + entries.length > MAX_ARGS) return false;
  const bytes = spec.argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0) + entries.reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v) + 2, 0);
  return bytes <= MAX_ARGV_BYTES;
}

/** the box's cgroup limits; the waiting launcher (bwrap's monitor) is one more process */
export function boxLimits(limits: Limits, launcherInGroup: boolean): BoxLimits {
  return { memoryBytes: limits.memoryBytes, pids: limits.pids + (launcherInGroup ? 1 : 0), cpus: limits.cpus };
}

export function sameLimits(a: BoxLimits, b: BoxLimits): boolean {
  return a.memoryBytes === b.memoryBytes && a.pids === b.pids && a.cpus === b.cpus;
}

export class PrestartPool {
  private readonly spares = new Map<string, Prestarted[]>();
  private readonly filling = new Map<string, number>();
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: PrestartDeps) {}

  /** a ready launcher for these limits' rlimits, if one is waiting */
  take(limits: Limits): Prestarted | undefined {
    const key = keyOf(limits);
    const list = this.spares.get(key) ?? [];
    this.touch(key, list);
    for (let p = list.shift(); p; p = list.shift()) {
      if (p.launcher.usable()) return p;
      this.track(this.discard(p));
    }
    return undefined;
  }

  /** gives up the least recently used spare, so its uid serves a run that needs one */
  async surrender(): Promise<boolean> {
    for (const list of this.spares.values()) {
      const p = list.shift();
      if (p) {
        await this.discard(p);
        return true;
      }
    }
    return false;
  }

  /** starts spares for these limits in the background, up to perKey */
  fill(limits: Limits): void {
    const key = keyOf(limits);
    const want = this.deps.perKey - (this.spares.get(key)?.length ?? 0) - (this.filling.get(key) ?? 0);
    for (let i = 0; i < want && !this.closed; i++) {
      this.filling.set(key, (this.filling.get(key) ?? 0) + 1);
      const work = this.prepare(limits)
        .then((p) => {
          if (!p) return;
          if (this.closed) return this.discard(p);
          const list = this.spares.get(key) ?? [];
          list.push(p);
          this.touch(key, list);
        })
        .catch((err: Error) => this.report(err))
        .finally(() => {
          const left = (this.filling.get(key) ?? 1) - 1;
          if (left > 0) this.filling.set(key, left);
          else this.filling.delete(key);
        });
      this.track(work);
    }
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

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    for (const list of this.spares.values()) for (const p of list) await this.discard(p);
    this.spares.clear();
  }

  private async prepare(limits: Limits): Promise<Prestarted | undefined> {
    const uid = this.deps.uids.tryAcquire();
    if (uid === undefined) return undefined; // every uid is running a box: no spare now
    const name = this.deps.newName();
    let cgroup: BoxCgroup | undefined;
    let launcher: Launcher | undefined;
    try {
      const groupLimits = boxLimits(limits, true);
      cgroup = await this.deps.cgroups.createBox(name, groupLimits);
      launcher = spawnLauncher({ argv: prestartArgv(this.deps.prlimitPath, this.deps.bwrapPath, limits, LAUNCH_FDS.args), uid, gid: uid, argsFd: true });
      const pid = launcher.child.pid;
      if (pid === undefined) throw new Error('prestarted launcher has no pid');
      await cgroup.addProcess(pid);
      return { name, uid, limits: groupLimits, cgroup, launcher };
    } catch (err) {
      launcher?.dispose();
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
    p.launcher.dispose();
    try {
      await p.cgroup.destroy();
      this.deps.uids.release(p.uid);
    } catch (err) {
      this.deps.uids.quarantine(p.uid);
      this.report(err as Error);
    }
  }

  /** most recently used last; beyond MAX_KEYS the oldest set's spares go */
  private touch(key: string, list: Prestarted[]): void {
    this.spares.delete(key);
    this.spares.set(key, list);
    while (this.spares.size > MAX_KEYS) {
      const [oldest, stale] = this.spares.entries().next().value as [string, Prestarted[]];
      this.spares.delete(oldest);
      for (const p of stale) this.track(this.discard(p));
    }
  }
}

function keyOf(limits: Limits): string {
  return rlimitArgs(limits).join(' ');
}
