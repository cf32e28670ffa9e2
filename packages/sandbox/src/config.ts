/**
 * The engine's configuration: plain values its caller reads from wherever it likes
 * (apps read env vars; the engine never does). Every field has a default.
 */
import fs from 'node:fs';
import os from 'node:os';
import { DEFAULT_POLICY } from './limits.js';
import type { LimitPolicy } from './limits.js';

export interface SandboxConfig {
  /** cgroup parent relative to each hierarchy root; undefined = `<own cgroup>/codebox` */
  readonly cgroupParent?: string | undefined;
  /** where work-dir tmpfs mounts and generated /etc files live; root-only */
  readonly workRoot?: string;
  /** first host uid for boxes; uidCount consecutive uids, one per concurrent run */
  readonly uidBase?: number;
  readonly uidCount?: number;
  /**
   * when the range is claimed by another engine on this host, how many next ranges
   * (uidBase + k × uidCount) to try; 0: the range given must be free (uid-claims.ts)
   */
  readonly uidSearch?: number;
  /** where engines claim their uid ranges, host-wide; default /run/codebox-uids */
  readonly uidClaimDir?: string;
  readonly bwrapPath?: string;
  readonly prlimitPath?: string;
  readonly policy?: LimitPolicy;
  /**
   * Caps on all of this engine's boxes together (its instance cgroup), so many boxes at
   * their maxima cannot take every pid or all memory of the host. Defaults: a quarter
   * of kernel.pid_max (at most 16384), and 80% of the host's memory.
   */
  readonly instancePids?: number;
  readonly instanceMemoryBytes?: number;
  /**
   * boxes kept set up ahead of need, for each of the last roots (and networks) runs asked
   * for (prepared.ts); 0 turns it off. Each holds a uid, a cgroup, a work dir and a
   * waiting bwrap while it waits. Default 1.
   */
  readonly prestart?: number;
  /** the root the first prepared boxes are made with (the root most runs will use); default the host's */
  readonly prestartRootfs?: string | undefined;
  /** a failure in cleanup that finished after its run returned; default: stderr */
  readonly onError?: (err: Error) => void;
}

export interface ResolvedConfig {
  readonly cgroupParent: string | undefined;
  readonly workRoot: string;
  readonly uidBase: number;
  readonly uidCount: number;
  readonly uidSearch: number;
  readonly uidClaimDir: string;
  readonly bwrapPath: string;
  readonly prlimitPath: string;
  readonly policy: LimitPolicy;
  readonly instancePids: number;
  readonly instanceMemoryBytes: number;
  readonly prestart: number;
  readonly prestartRootfs: string | undefined;
  readonly onError: (err: Error) => void;
}

/** far above login uids and the usual /etc/subuid ranges */
export const DEFAULT_UID_BASE = 200_000_000;
export const DEFAULT_UID_COUNT = 256;

export function resolveConfig(c: SandboxConfig): ResolvedConfig {
  return {
    cgroupParent: c.cgroupParent,
    workRoot: c.workRoot ?? (fs.existsSync('/run') ? '/run/codebox' : '/var/lib/codebox/run'),
    uidBase: c.uidBase ?? DEFAULT_UID_BASE,
    uidCount: c.uidCount ?? DEFAULT_UID_COUNT,
    uidSearch: c.uidSearch ?? 0,
    uidClaimDir: c.uidClaimDir ?? (fs.existsSync('/run') ? '/run/codebox-uids' : '/var/lib/codebox/uids'),
    bwrapPath: c.bwrapPath ?? findTool('bwrap'),
    prlimitPath: c.prlimitPath ?? findTool('prlimit'),
    policy: c.policy ?? DEFAULT_POLICY,
    instancePids: c.instancePids ?? Math.min(16384, Math.floor(pidMax() / 4)),
    instanceMemoryBytes: c.instanceMemoryBytes ?? Math.floor(os.totalmem() * 0.8),
    prestart: c.prestart ?? 1,
    prestartRootfs: c.prestartRootfs,
    onError: c.onError ?? ((err) => process.stderr.write(`codebox sandbox: ${err.message}\n`)),
  };
}

function findTool(name: string): string {
  for (const dir of ['/usr/bin', '/bin', '/usr/local/bin']) {
    if (fs.existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return `/usr/bin/${name}`;
}

function pidMax(): number {
  try {
    return Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')) || 32768;
  } catch {
    return 32768;
  }
}
