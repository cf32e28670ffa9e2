/**
 * Pure parsers for /proc/self/mountinfo and /proc/self/cgroup: where each cgroup
 * hierarchy is mounted and where the current process sits in it.
 */

export interface CgroupMount {
  /** mount point, e.g. /sys/fs/cgroup/memory */
  readonly mountPoint: string;
  /** the mount's root inside the hierarchy (not `/` inside a cgroup namespace) */
  readonly root: string;
  readonly version: 1 | 2;
  /** v1 controllers on this hierarchy (memory, cpu, ...); empty for v2 */
  readonly controllers: readonly string[];
}

export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    if (!line) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const fstype = right[0];
    const root = unescape(left[3] ?? '/');
    const mountPoint = unescape(left[4] ?? '');
    if (fstype === 'cgroup2') {
      mounts.push({ mountPoint, root, version: 2, controllers: [] });
    } else if (fstype === 'cgroup') {
      const superOptions = (right[2] ?? '').split(',');
      const controllers = superOptions.filter((o) => !o.includes('=') && !['rw', 'ro'].includes(o));
      mounts.push({ mountPoint, root, version: 1, controllers });
    }
  }
  return mounts;
}

/** `/proc/self/cgroup`: hierarchy controllers (`memory`, `cpu,cpuacct`, or `` for v2) -> path */
export function parseProcCgroup(text: string): Map<string, string> {
  const byControllers = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    byControllers.set(m[2] ?? '', m[3] ?? '/');
  }
  return byControllers;
}

/** mountinfo escapes space, tab, newline and backslash as octal */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
