/**
 * Where the cpu went during a scenario, per job: each process of the stack (its own time,
 * /proc/<pid>/stat utime+stime), this process (the load generator, or the engine), and
 * the boxes (the cgroup parent's cpu accounting, which keeps the time of box groups
 * already removed). On a machine with few cores every part competes for the same ones,
 * so this is what explains an end-to-end to engine ratio.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type CpuSnapshot = Readonly<Record<string, number>>;

let ticksPerS: number | undefined;

/** cpu ms so far of each named pid, of this process ('self') and of the boxes */
export function cpuSnapshot(pids: Readonly<Record<string, number>>, cgroupParent: string): CpuSnapshot {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) out[name] = processCpuMs(pid);
  const self = process.cpuUsage();
  out.self = (self.user + self.system) / 1000;
  const boxes = boxesCpuMs(cgroupParent);
  if (boxes !== undefined) out.boxes = boxes;
  return out;
}

/** cpu ms spent by each part between two snapshots */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const out: Record<string, number> = {};
  for (const k of Object.keys(after)) if (before[k] !== undefined) out[k] = (after[k] ?? 0) - (before[k] ?? 0);
  return out;
}

export function addCpu(a: CpuSnapshot, b: CpuSnapshot): CpuSnapshot {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** "worker 8.5, boxes 5.8, …; all 19.5 cpu ms a job" */
export function perJob(delta: CpuSnapshot, jobs: number, names: Readonly<Record<string, string>> = {}): string {
  const parts = Object.entries(delta).map(([k, ms]) => [names[k] ?? k, ms / Math.max(1, jobs)] as const);
  const total = parts.reduce((n, [, ms]) => n + ms, 0);
  return `${parts.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ')}; all ${total.toFixed(1)} cpu ms a job`;
}

function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name, which may hold spaces: utime and stime are 14 and 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerS ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerS;
  } catch {
    return NaN;
  }
}

/** cgroup v1's cpuacct hierarchy, else v2's unified one */
function boxesCpuMs(parent: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join('/sys/fs/cgroup/cpuacct', parent, 'cpuacct.usage'), 'utf8')) / 1e6;
  } catch {
    // not v1
  }
  try {
    const stat = fs.readFileSync(path.join('/sys/fs/cgroup', parent, 'cpu.stat'), 'utf8');
    const usec = /^usage_usec (\d+)$/m.exec(stat)?.[1];
    return usec === undefined ? undefined : Number(usec) / 1000;
  } catch {
    return undefined;
  }
}
