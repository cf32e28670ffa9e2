/**
 * cgroup v2 driver ("fs2" in runc's terms): one unified hierarchy. A group may hold
 * processes or enable controllers for its children, not both, so every group above a
 * box only delegates (cgroup.subtree_control) and boxes are leaves.
 *
 * Controller files and the kernels they need:
 *   memory   memory.max, memory.swap.max (swap accounting on), memory.peak (5.19+; else
 *            the engine polls memory.current), memory.events `oom_kill` (4.13+)
 *   cpu      cpu.max "quota period" (5.0+), cpu.stat `usage_usec` (always present)
 *   pids     pids.max
 *   kill     cgroup.kill (5.14+; else freeze with cgroup.freeze (5.2+) and SIGKILL each)
 * Mirrors fs.ts section by section.
 */
import path from 'node:path';
import type { BoxCgroup, BoxLimits, BoxUsage, CgroupManager, InstanceCaps } from './driver.js';
import {
  CgroupError,
  exists,
  killListed,
  limitValue,
  mkdirp,
  moveProcess,
  removeCreatedAncestors,
  parseKeyed,
  readFile,
  removeGroup,
  sleep,
  sweepInstances,
  writeFile,
} from './files.js';

export const V2_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;

const CFS_PERIOD_US = 100_000;

export class Fs2Manager implements CgroupManager {
  readonly version = 2 as const;
  readonly instancePath: string;
  readonly mountPoint: string;
  /** the top-most group create() made, removed again at close */
  private createdTop: string | undefined;

  private constructor(mountPoint: string, instancePath: string) {
    this.mountPoint = mountPoint;
    this.instancePath = instancePath;
  }

  /**
   * Creates <parent>/<instance>, delegating the controllers at every level from the
   * hierarchy root down. `parent` must not hold processes (see new.ts for the default
   * parent, where the engine first moves itself out of the way).
   */
  static async create(mountPoint: string, parent: string, instance: string, caps?: InstanceCaps): Promise<Fs2Manager> {
    const m = new Fs2Manager(mountPoint, path.posix.join(parent, instance));
    const levels = m.instancePath.split('/').filter(Boolean);
    let dir = mountPoint;
    await delegate(dir);
    for (const level of levels) {
      dir = path.join(dir, level);
      const created = await mkdirp(dir);
      m.createdTop ??= created;
      await delegate(dir);
    }
    if (caps) {
      await writeFile(path.join(dir, 'pids.max'), limitValue(caps.pids));
      await writeFile(path.join(dir, 'memory.max'), limitValue(caps.memoryBytes));
    }
    return m;
  }

  abs(rel: string): string {
    return path.join(this.mountPoint, rel);
  }

  async createBox(name: string, limits: BoxLimits): Promise<BoxCgroup> {
    const box = new Fs2Box(this, path.posix.join(this.instancePath, name));
    await mkdirp(box.dir);
    try {
      await box.apply(limits);
    } catch (err) {
      await box.destroy().catch(() => undefined);
      throw err;
    }
    return box;
  }

  async sweepStale(isAlive: (instance: string) => boolean): Promise<string[]> {
    const parent = path.posix.dirname(this.instancePath);
    return sweepInstances([this.abs(parent)], parent, isAlive, (rel) => new Fs2Box(this, rel).destroy());
  }

  async close(): Promise<void> {
    await removeGroup(this.abs(this.instancePath));
    await removeCreatedAncestors(this.abs(this.instancePath), this.createdTop);
  }
}

/** Enables our controllers for a group's children, those the group itself has. */
async function delegate(dir: string): Promise<void> {
  const available = (await readFile(path.join(dir, 'cgroup.controllers'))).trim().split(/\s+/);
  const missing = V2_CONTROLLERS.filter((c) => !available.includes(c));
  if (missing.length > 0) {
    throw new CgroupError(
      `find controllers ${missing.join(',')} in`,
      path.join(dir, 'cgroup.controllers'),
      'not delegated',
    );
  }
  const enabled = (await readFile(path.join(dir, 'cgroup.subtree_control'))).trim().split(/\s+/);
  const toEnable = V2_CONTROLLERS.filter((c) => !enabled.includes(c));
  if (toEnable.length === 0) return;
  await writeFile(path.join(dir, 'cgroup.subtree_control'), toEnable.map((c) => `+${c}`).join(' '));
}

class Fs2Box implements BoxCgroup {
  readonly path: string;
  readonly dir: string;
  tracksPeak = true;
  private destroyed = false;

  constructor(manager: Fs2Manager, rel: string) {
    this.path = rel;
    this.dir = manager.abs(rel);
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  async apply(limits: BoxLimits): Promise<void> {
    // memory
    await writeFile(this.file('memory.max'), limitValue(limits.memoryBytes));
    if (await exists(this.file('memory.swap.max'))) await writeFile(this.file('memory.swap.max'), '0');
    this.tracksPeak = await exists(this.file('memory.peak'));
    // cpu
    await writeFile(this.file('cpu.max'), `${Math.round(limits.cpus * CFS_PERIOD_US)} ${CFS_PERIOD_US}`);
    // pids
    await writeFile(this.file('pids.max'), limitValue(limits.pids));
  }

  async addProcess(pid: number): Promise<void> {
    await moveProcess(this.file('cgroup.procs'), pid);
  }

  async cpuNs(): Promise<bigint> {
    const stat = parseKeyed(await readFile(this.file('cpu.stat')));
    return (stat.get('usage_usec') ?? 0n) * 1000n;
  }

  async memoryCurrentBytes(): Promise<number> {
    return Number((await readFile(this.file('memory.current'))).trim());
  }

  async processes(): Promise<number> {
    return Number((await readFile(this.file('pids.current'))).trim());
  }

  async usage(): Promise<BoxUsage> {
    const events = parseKeyed(await readFile(this.file('memory.events')));
    const peakFile = this.file('memory.peak');
    this.tracksPeak = await exists(peakFile);
    const peak = this.tracksPeak ? Number((await readFile(peakFile)).trim()) : 0;
    return { cpuNs: await this.cpuNs(), memoryPeakBytes: peak, oomKills: Number(events.get('oom_kill') ?? 0n) };
  }

  async killAll(): Promise<void> {
    // the common case after a run: nothing left to kill
    if (parseKeyed(await readFile(this.file('cgroup.events'))).get('populated') === 0n) return;
    if (await exists(this.file('cgroup.kill'))) {
      await writeFile(this.file('cgroup.kill'), '1');
    } else {
      await writeFile(this.file('cgroup.freeze'), '1');
      await killListed(this.file('cgroup.procs'));
      await writeFile(this.file('cgroup.freeze'), '0');
    }
    await waitUnpopulated(this.file('cgroup.events'));
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    if (await exists(this.dir)) {
      await this.killAll();
      // page cache the box read stays charged to it and would keep the removed group
      // alive in the kernel; reclaim it first (memory.reclaim, 5.19+; EAGAIN if short)
      if (await exists(this.file('memory.reclaim')))
        await writeFile(this.file('memory.reclaim'), '1G').catch(() => undefined);
      await removeGroup(this.dir);
    }
    this.destroyed = true;
  }
}

async function waitUnpopulated(eventsFile: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const events = parseKeyed(await readFile(eventsFile));
    if (events.get('populated') === 0n) return;
    await sleep(Math.min(1 + i, 10));
  }
  throw new CgroupError('empty', eventsFile, 'processes remain after cgroup.kill');
}
