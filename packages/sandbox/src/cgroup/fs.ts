/**
 * cgroup v1 driver ("fs" in runc's terms): one directory per hierarchy, each controller
 * mounted on its own (memory, pids, freezer) or shared (often cpu,cpuacct).
 *
 * Controller files and the kernels they need:
 *   memory   memory.limit_in_bytes, memory.max_usage_in_bytes
 *            memory.memsw.limit_in_bytes (only with swap accounting; else swappiness 0)
 *            memory.oom_control `oom_kill` (4.13+)
 *            memory.kmem.tcp.limit_in_bytes: on v1 socket buffers (TCP, UDP) are charged
 *            to a counter of their own, and only once its limit is set (3.18+); unset,
 *            a box's loopback sockets could hold gigabytes. v2 charges them to memory.max.
 *   cpu      cpu.cfs_quota_us / cpu.cfs_period_us (CFS bandwidth, 3.2+)
 *   cpuacct  cpuacct.usage (ns, user+system)
 *   pids     pids.max (4.3+)
 *   freezer  freezer.state (optional: without it kill-all loops until the group is empty)
 * Mirrors fs2.ts section by section.
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

export const V1_REQUIRED = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
export const V1_OPTIONAL = ['freezer'] as const;
type Controller = (typeof V1_REQUIRED)[number] | (typeof V1_OPTIONAL)[number];

const CFS_PERIOD_US = 100_000;

/** controller -> mount point of its hierarchy (root of the hierarchy as seen by us) */
export type V1Mounts = ReadonlyMap<Controller, string>;

export class FsManager implements CgroupManager {
  readonly version = 1 as const;
  readonly instancePath: string;
  private readonly mounts: V1Mounts;
  /** per instance dir: the top-most group create() made for it, removed again at close */
  private readonly created = new Map<string, string | undefined>();

  private constructor(mounts: V1Mounts, instancePath: string) {
    this.mounts = mounts;
    this.instancePath = instancePath;
  }

  static async create(mounts: V1Mounts, parent: string, instance: string, caps?: InstanceCaps): Promise<FsManager> {
    const m = new FsManager(mounts, path.posix.join(parent, instance));
    for (const dir of m.hierarchyDirs(m.instancePath)) m.created.set(dir, await mkdirp(dir));
    if (caps) {
      await writeFile(path.join(m.dir('pids', m.instancePath) ?? '', 'pids.max'), limitValue(caps.pids));
      const memory = m.dir('memory', m.instancePath) ?? '';
      await writeFile(path.join(memory, 'memory.limit_in_bytes'), limitValue(caps.memoryBytes));
      await limitSocketMemory(memory, caps.memoryBytes);
    }
    return m;
  }

  /** one directory per distinct hierarchy (cpu and cpuacct may share one) */
  hierarchyDirs(rel: string): string[] {
    return [...new Set([...this.mounts.values()])].map((mp) => path.join(mp, rel));
  }

  dir(controller: Controller, rel: string): string | undefined {
    const mp = this.mounts.get(controller);
    return mp === undefined ? undefined : path.join(mp, rel);
  }

  async createBox(name: string, limits: BoxLimits): Promise<BoxCgroup> {
    const rel = path.posix.join(this.instancePath, name);
    const box = new FsBox(this, rel);
    for (const dir of this.hierarchyDirs(rel)) await mkdirp(dir);
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
    return sweepInstances(this.hierarchyDirs(parent), parent, isAlive, (rel) => new FsBox(this, rel).destroy());
  }

  async close(): Promise<void> {
    for (const dir of this.hierarchyDirs(this.instancePath)) {
      await removeGroup(dir);
      await removeCreatedAncestors(dir, this.created.get(dir));
    }
  }
}

class FsBox implements BoxCgroup {
  readonly path: string;
  readonly tracksPeak = true;
  private readonly m: FsManager;
  private destroyed = false;

  constructor(manager: FsManager, rel: string) {
    this.m = manager;
    this.path = rel;
  }

  private file(controller: Controller, name: string): string {
    const dir = this.m.dir(controller, this.path);
    if (dir === undefined) throw new CgroupError('find controller', controller, 'not mounted');
    return path.join(dir, name);
  }

  async apply(limits: BoxLimits): Promise<void> {
    // memory: memsw may never be below the memory limit, so when raising, memsw goes
    // first, and when lowering, second
    const memory = this.file('memory', 'memory.limit_in_bytes');
    const memsw = this.file('memory', 'memory.memsw.limit_in_bytes');
    const value = limitValue(limits.memoryBytes);
    if (await exists(memsw)) {
      const raising = Number((await readFile(memsw)).trim()) < limits.memoryBytes;
      for (const file of raising ? [memsw, memory] : [memory, memsw]) await writeFile(file, value);
    } else {
      await writeFile(memory, value);
      await writeFile(this.file('memory', 'memory.swappiness'), '0');
    }
    await limitSocketMemory(path.dirname(memory), limits.memoryBytes);
    // cpu
    await writeFile(this.file('cpu', 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    await writeFile(this.file('cpu', 'cpu.cfs_quota_us'), String(Math.round(limits.cpus * CFS_PERIOD_US)));
    // pids
    await writeFile(this.file('pids', 'pids.max'), limitValue(limits.pids));
  }

  /**
   * The first move waits (off the event loop) for the kernel's threadgroup rwsem, an RCU
   * grace period when moves have been idle; the other hierarchies then take microseconds.
   */
  async addProcess(pid: number): Promise<void> {
    const [first, ...rest] = this.m.hierarchyDirs(this.path);
    if (first !== undefined) await moveProcess(path.join(first, 'cgroup.procs'), pid);
    for (const dir of rest) await writeFile(path.join(dir, 'cgroup.procs'), String(pid));
  }

  async cpuNs(): Promise<bigint> {
    return BigInt((await readFile(this.file('cpuacct', 'cpuacct.usage'))).trim());
  }

  async memoryCurrentBytes(): Promise<number> {
    return Number((await readFile(this.file('memory', 'memory.usage_in_bytes'))).trim());
  }

  async processes(): Promise<number> {
    return Number((await readFile(this.file('pids', 'pids.current'))).trim());
  }

  async usage(): Promise<BoxUsage> {
    const oom = parseKeyed(await readFile(this.file('memory', 'memory.oom_control')));
    return {
      cpuNs: await this.cpuNs(),
      memoryPeakBytes: Number((await readFile(this.file('memory', 'memory.max_usage_in_bytes'))).trim()),
      oomKills: Number(oom.get('oom_kill') ?? 0n),
    };
  }

  async killAll(): Promise<void> {
    // the common case after a run: nothing left, nothing to freeze
    if (await isEmpty(this.file('pids', 'cgroup.procs'))) return;
    const freezer = this.m.dir('freezer', this.path);
    if (freezer !== undefined && (await exists(freezer))) {
      // frozen, nothing can fork between reading cgroup.procs and the kill
      await writeFile(path.join(freezer, 'freezer.state'), 'FROZEN');
      await waitFrozen(path.join(freezer, 'freezer.state'));
      await killListed(path.join(freezer, 'cgroup.procs'));
      await writeFile(path.join(freezer, 'freezer.state'), 'THAWED');
    }
    await killUntilEmpty(this.file('pids', 'cgroup.procs'));
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    const dirs = this.m.hierarchyDirs(this.path);
    if (await exists(dirs[0] ?? '')) {
      await this.killAll();
      // page cache the box read stays charged to it and would keep the removed group
      // alive in the kernel ("dying" memcgs, one per run); hand it back first
      await writeFile(this.file('memory', 'memory.force_empty'), '0').catch(() => undefined);
    }
    for (const dir of dirs) await removeGroup(dir);
    this.destroyed = true;
  }
}

/** socket buffers as much again as the memory limit, at most (a counter of their own on v1) */
async function limitSocketMemory(memoryDir: string, bytes: number): Promise<void> {
  const tcp = path.join(memoryDir, 'memory.kmem.tcp.limit_in_bytes');
  if (await exists(tcp)) await writeFile(tcp, limitValue(bytes));
}

async function isEmpty(procsFile: string): Promise<boolean> {
  try {
    return (await readFile(procsFile)).trim() === '';
  } catch (err) {
    if (err instanceof CgroupError && err.code === 'ENOENT') return true;
    throw err;
  }
}

async function waitFrozen(stateFile: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await readFile(stateFile)).trim() === 'FROZEN') return;
    await sleep(1);
  }
}

/** Without a freezer a fork can race the kill; the pids limit bounds how often. */
async function killUntilEmpty(procsFile: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await killListed(procsFile)) === 0) return;
    await sleep(Math.min(1 + i, 10));
  }
  throw new CgroupError('empty', procsFile, 'processes remain after SIGKILL');
}
