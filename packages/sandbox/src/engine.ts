/**
 * What a run needs of the engine's start-up: the prepared host state, shared by all runs
 * of one engine instance. Built once by createSandbox (sandbox.ts), read by runBox.
 */
import type { CgroupManager } from './cgroup/driver.js';
import type { ResolvedConfig } from './config.js';
import type { MountStep } from './plan/mounts.js';
import type { NetworkMode } from './seccomp-policy.js';
import type { PreparedPool } from './prepared.js';
import type { UidPool } from './uid-pool.js';
import type { UidClaim } from './uid-claims.js';

export interface Engine {
  readonly config: ResolvedConfig;
  readonly cgroups: CgroupManager;
  /** this engine's host uids, claimed host-wide (released at close) */
  readonly uidClaim: UidClaim;
  readonly instanceDir: string;
  /** the instance's tmpfs with the box init and the box's /etc files (box-etc.ts) */
  readonly sysDir: string;
  /** every run's launcher's argv (plan/argv.ts) */
  readonly launcherArgv: readonly string[];
  /** a session's: the same without the cpu-seconds backstop */
  readonly sessionLauncherArgv: readonly string[];
  readonly seccomp: Readonly<Record<NetworkMode, Buffer>>;
  readonly uids: UidPool;
  /** boxes set up ahead of need; undefined when prestart is 0 */
  readonly prepared: PreparedPool | undefined;
  /** a fresh name for a box's cgroup and work dir */
  newBoxName(): string;
  rootPlan(rootfs: string | undefined): MountStep[];
  /** work that finishes after a run has returned (cleanup); close() waits for it */
  background(work: Promise<void>): void;
}
