import type { CollectedFile } from './collect.js';
import type { Status } from './status.js';

/** Why the engine killed the box, when it did. */
export type KillReason = 'cpu' | 'wall' | 'output' | 'abort';

export interface RunResult {
  readonly status: Status;
  /** the program's exit code; null when a signal ended it */
  readonly exitCode: number | null;
  /** e.g. SIGKILL, SIGSEGV; null when it exited */
  readonly signal: string | null;
  /** user+system cpu of all the box's processes, from the cgroup */
  readonly cpuMs: number;
  /** from release of the box to the end of its last process */
  readonly wallMs: number;
  /** peak memory charge of the box's cgroup */
  readonly memoryBytes: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  readonly oomKilled: boolean;
  readonly killedBy: KillReason | null;
  /** time from run() to the program's start: namespaces, mounts, cgroup, its files */
  readonly setupMs: number;
  /** with spec.collect: the work dir's regular files after the run */
  readonly files?: CollectedFile[];
  /** with spec.collect: symlinks, fifos, sockets and files over the limits left behind */
  readonly filesSkipped?: number;
  /** with spec.collect: the bytes of the files left behind for the byte cap */
  readonly filesBytesOver?: number;
  /** what went wrong, where the verdict alone does not say (INTERNAL_ERROR, files that did not fit) */
  readonly message?: string;
}
