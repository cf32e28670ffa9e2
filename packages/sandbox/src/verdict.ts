/**
 * Turns what the kernel recorded into one status. Pure. The order is the order of
 * blame: the limit that ended the run wins over the way the program died of it (a box
 * killed for output dies of SIGKILL, which alone would read as a runtime error).
 */
import type { KillReason } from './result.js';
import type { Status } from './status.js';

export interface Outcome {
  readonly killedBy: KillReason | null;
  readonly oomKills: number;
  readonly cpuMs: number;
  readonly cpuLimitMs: number;
  readonly exitCode: number | null;
  readonly signal: string | null;
}

export function verdict(o: Outcome): Status {
  if (o.killedBy === 'output') return 'OUTPUT_LIMIT';
  if (o.oomKills > 0) return 'MEMORY_LIMIT';
  // from the cgroup's accounting only: a signal name comes through bwrap's exit status,
  // which the program controls (exit(152) reads as SIGXCPU)
  if (o.killedBy === 'cpu' || o.cpuMs > o.cpuLimitMs) return 'TIME_LIMIT';
  if (o.killedBy === 'wall') return 'WALL_TIME_LIMIT';
  if (o.exitCode === 0 && o.signal === null) return 'OK';
  return 'RUNTIME_ERROR';
}

/**
 * bwrap reports the box's end as its own exit status: the program's code, or 128+N when
 * signal N killed it (the shell's convention). A program that calls exit(128+N) itself
 * reads as killed by N; bwrap gives no way to tell the two apart.
 */
export function decodeExit(
  code: number | null,
  launcherSignal: NodeJS.Signals | null,
  signalNames: ReadonlyMap<number, string>,
): {
  exitCode: number | null;
  signal: string | null;
} {
  if (launcherSignal !== null) return { exitCode: null, signal: launcherSignal };
  if (code !== null && code > 128 && signalNames.has(code - 128)) {
    return { exitCode: null, signal: signalNames.get(code - 128) ?? null };
  }
  return { exitCode: code, signal: null };
}
