/**
 * One interface over cgroup v1 (fs.ts) and v2 (fs2.ts), chosen once in new.ts: the
 * split runc makes between its fs and fs2 managers. Everything else in the engine talks
 * to these two interfaces and never to a cgroup file.
 *
 * Layout, relative to each hierarchy's root:
 *   <parent>/<instance>/<box>
 * parent:   CODEBOX_CGROUP_PARENT, or a `codebox` child of the engine's own cgroup
 * instance: one per engine process (`i-<pid>-<starttime>`), so a restarted engine can
 *           tell its dead predecessors' groups from a live neighbour's
 * box:      one per run, a leaf
 */

export type CgroupVersion = 1 | 2;

export interface BoxLimits {
  readonly memoryBytes: number;
  readonly pids: number;
  /** cpu share in cores (1 = one full core), enforced by CFS bandwidth control */
  readonly cpus: number;
}

export interface InstanceCaps {
  readonly pids: number;
  readonly memoryBytes: number;
}

export interface BoxUsage {
  /** user+system cpu of every process that ever ran in the group */
  readonly cpuNs: bigint;
  /** the group's peak memory charge, page cache and tmpfs included */
  readonly memoryPeakBytes: number;
  /** how many times the kernel's OOM killer killed a process of this group */
  readonly oomKills: number;
}

export interface BoxCgroup {
  /**
   * the box's path below the hierarchy root, e.g. `codebox-test/i-12-345/b-1`; on v1
   * with the default parent, below the engine's own group in each hierarchy
   */
  readonly path: string;
  /** sets the group's limits (again: a prestarted box gets its run's limits at start) */
  apply(limits: BoxLimits): Promise<void>;
  /** moves a process (and so all it will fork) into the group */
  addProcess(pid: number): Promise<void>;
  usage(): Promise<BoxUsage>;
  /** cheaper than usage(): cpu only, polled while the box runs */
  cpuNs(): Promise<bigint>;
  /** false when the kernel keeps no peak (v2 before 5.19): the engine then samples */
  readonly tracksPeak: boolean;
  /** current memory charge, for kernels without a peak file */
  memoryCurrentBytes(): Promise<number>;
  /** processes and threads in the group now (what pids.max counts) */
  processes(): Promise<number>;
  /** SIGKILLs every process in the group, also ones forking while it runs */
  killAll(): Promise<void>;
  /** kills what is left and removes the group; safe to call twice */
  destroy(): Promise<void>;
}

export interface CgroupManager {
  readonly version: CgroupVersion;
  /** the instance group, e.g. `codebox-test/i-12-345` */
  readonly instancePath: string;
  createBox(name: string, limits: BoxLimits): Promise<BoxCgroup>;
  /** removes the groups of engine instances whose process is gone (after a crash) */
  sweepStale(isAlive: (instance: string) => boolean): Promise<string[]>;
  /** removes this instance's own group; boxes must be destroyed first */
  close(): Promise<void>;
}
