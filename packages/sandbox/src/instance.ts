/**
 * An engine instance's name, `i-<pid>-<starttime>-<n>`, tags everything it creates (cgroups,
 * work-dir mounts). A later engine sweeps what belongs to instances whose process is gone;
 * the start time (clock ticks since boot, /proc/<pid>/stat field 22) tells a dead engine
 * from an unrelated process that reused its pid; n tells apart the sandboxes of one
 * process.
 */
import fs from 'node:fs';

export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the command name (field 2) may hold spaces and parentheses: fields start after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

let created = 0;

export function instanceName(pid = process.pid): string {
  return `i-${pid}-${processStartTime(pid) ?? '0'}-${++created}`;
}

export function isInstanceAlive(name: string): boolean {
  const m = /^i-(\d+)-(\d+)(?:-\d+)?$/.exec(name);
  if (!m) return true; // not ours to judge: leave it alone
  return processStartTime(Number(m[1])) === m[2];
}
