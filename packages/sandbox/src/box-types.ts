/**
 * A box as the steps that make it (box-open.ts), the pool that keeps boxes ready
 * (prepared.ts), a run and a session know it: what it is made with, what it holds.
 */
import type { BoxCgroup, BoxLimits } from './cgroup/driver.js';
import type { Cleanup } from './cleanup.js';
import type { Launched } from './launch.js';
import type { Limits } from './limits.js';
import type { NetworkMode } from './seccomp-policy.js';

/** what a box is made with and cannot change once made */
export interface BoxKey {
  readonly rootfs: string | undefined;
  readonly network: NetworkMode;
  /** the size of its /tmp and /dev/shm (tmpfs mounts bwrap makes) */
  readonly tmpBytes: number;
}

export function keyName(k: BoxKey): string {
  return `${k.rootfs ?? ''}\0${k.network}\0${k.tmpBytes}`;
}

export interface BoxRequest extends BoxKey {
  readonly limits: Limits;
  /**
   * a session's box: a launcher of its own kind (no cpu-seconds backstop: a session's
   * processes may run for its whole life) and a devpts and /dev/tty for its terminals
   */
  readonly session?: boolean;
  /** a uid now or none (the prepared pool, which must never wait for one or take one a run waits for) */
  readonly uidNow?: boolean;
  /** host files shown read-only in the work dir (spec.ts BindSpec): a box of its own, never a prepared one */
  readonly binds?: readonly { readonly src: string; readonly path: string }[];
}

export interface OpenedBox {
  readonly name: string;
  readonly uid: number;
  readonly key: BoxKey;
  readonly cgroup: BoxCgroup;
  /** the limits its cgroup has now */
  limits: BoxLimits;
  /** the work dir's host path (a tmpfs of the box's own) and its size now */
  readonly workDir: string;
  workDirBytes: number;
  readonly box: Launched;
  /** a session's devpts (host path): its ptmx opens the box's terminals */
  readonly ptsDir: string | undefined;
  /** the box's pid 1 */
  readonly pidfd: number;
  /** everything that undoes it, in order */
  readonly cleanup: Cleanup;
  /** set up ahead of its run, by the prepared pool */
  prepared: boolean;
}
