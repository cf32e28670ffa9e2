/**
 * Chooses the cgroup driver once, at engine start (runc's manager/new.go).
 *
 * v2 when a cgroup2 hierarchy offers the memory controller (pure v2, or a v2-first
 * hybrid); else v1 when memory, cpu, cpuacct and pids hierarchies are mounted (the
 * hybrid layout of older distributions and of our development machines, where the
 * cgroup2 mount at /sys/fs/cgroup/unified has no controllers).
 *
 * parent: a path relative to each hierarchy's root (CODEBOX_CGROUP_PARENT), or undefined
 * for a `codebox` child of the engine's own cgroup, which is what systemd (Delegate=yes)
 * and container runtimes hand a service. On v2 the engine then first moves itself into
 * a leaf `engine` beside it: a group that delegates controllers may not hold processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CgroupManager, InstanceCaps } from './driver.js';
import { CgroupError, mkdirp, parsePids, readFile, writeFile } from './files.js';
import { FsManager, V1_OPTIONAL, V1_REQUIRED } from './fs.js';
import type { V1Mounts } from './fs.js';
import { Fs2Manager } from './fs2.js';
import { parseCgroupMounts, parseProcCgroup } from './mountinfo.js';
import type { CgroupMount } from './mountinfo.js';

export interface CgroupOptions {
  /** relative to each hierarchy's root; undefined = `<own cgroup>/codebox` */
  readonly parent?: string | undefined;
  readonly instance: string;
  /** limits on the instance group: all of this engine's boxes together */
  readonly caps?: InstanceCaps;
  /** for tests: read these instead of /proc/self */
  readonly mountinfo?: string;
  readonly procCgroup?: string;
}

const DEFAULT_CHILD = 'codebox';

export async function newCgroupManager(opts: CgroupOptions): Promise<CgroupManager> {
  const mounts = parseCgroupMounts(opts.mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  const own = parseProcCgroup(opts.procCgroup ?? fs.readFileSync('/proc/self/cgroup', 'utf8'));
  const parent = opts.parent === undefined ? undefined : normalizeParent(opts.parent);

  const v2 = mounts.find((m) => m.version === 2 && hasV2Memory(m.mountPoint));
  if (v2) {
    if (parent !== undefined) return Fs2Manager.create(v2.mountPoint, parent, opts.instance, opts.caps);
    const base = ownDir(v2, own.get('') ?? '/');
    await leaveForLeaf(base);
    return Fs2Manager.create(
      v2.mountPoint,
      path.posix.join(path.relative(v2.mountPoint, base), DEFAULT_CHILD),
      opts.instance,
      opts.caps,
    );
  }

  const v1 = new Map<string, string>();
  for (const controller of [...V1_REQUIRED, ...V1_OPTIONAL]) {
    const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
    if (!mount) continue;
    const ownPath = [...own.entries()].find(([k]) => k.split(',').includes(controller))?.[1] ?? '/';
    v1.set(controller, parent !== undefined ? mount.mountPoint : ownDir(mount, ownPath));
  }
  const missing = V1_REQUIRED.filter((c) => !v1.has(c));
  if (missing.length > 0) {
    throw new CgroupError(
      'find',
      `cgroup controllers ${missing.join(', ')}`,
      'neither a v2 hierarchy with memory nor v1 hierarchies are mounted',
    );
  }
  return FsManager.create(v1 as V1Mounts, parent ?? DEFAULT_CHILD, opts.instance, opts.caps);
}

function hasV2Memory(mountPoint: string): boolean {
  try {
    return fs.readFileSync(path.join(mountPoint, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory');
  } catch {
    return false;
  }
}

/** our group's directory under a mount, allowing for a mount of a sub-tree (cgroup namespaces) */
function ownDir(mount: CgroupMount, ownPath: string): string {
  const rel = mount.root !== '/' && ownPath.startsWith(mount.root) ? ownPath.slice(mount.root.length) : ownPath;
  return path.join(mount.mountPoint, rel);
}

/**
 * Empties the engine's own v2 group into a leaf `<own>/engine` so `<own>` may delegate:
 * the engine and whatever shares its group (a wrapper shell, a supervisor), as systemd
 * would have it for a service with Delegate=yes.
 */
async function leaveForLeaf(base: string): Promise<void> {
  const procs = parsePids(await readFile(path.join(base, 'cgroup.procs')));
  if (procs.length === 0) return;
  const leaf = path.join(base, 'engine');
  await mkdirp(leaf);
  for (const pid of [process.pid, ...procs.filter((p) => p !== process.pid)]) {
    try {
      await writeFile(path.join(leaf, 'cgroup.procs'), String(pid));
    } catch (err) {
      // a process that exited meanwhile is fine; anything else is not
      if (!(err instanceof CgroupError && err.code === 'ESRCH')) throw err;
    }
  }
}

/** A path of plain names below the hierarchy root (a leading `/` is allowed): nothing may climb out. */
export function normalizeParent(parent: string): string {
  const segments = parent.split('/').filter((s) => s.length > 0);
  if (segments.length === 0 || segments.some((s) => s === '.' || s === '..')) {
    throw new CgroupError('use parent', JSON.stringify(parent), 'must be a path of plain names, e.g. codebox-test');
  }
  return segments.join('/');
}
