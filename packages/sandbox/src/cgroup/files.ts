/**
 * cgroup files are plain files; these wrappers turn a failure into a CgroupError that
 * names the file, what was written and the errno, so a setup failure says exactly what
 * the kernel refused.
 *
 * They call the kernel synchronously: a cgroup file write or mkdir takes microseconds,
 * and a hop through libuv's thread pool cost ten times that (1.5 ms a box for the v1
 * limit table). The one slow write, a process's move into a new group, which may wait
 * for an RCU grace period, has its own asynchronous moveProcess().
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export class CgroupError extends Error {
  readonly code: string | undefined;
  constructor(action: string, file: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`cgroup: ${action} ${file}: ${code ?? String(cause)}`, { cause });
    this.name = 'CgroupError';
    this.code = code;
  }
}

export async function writeFile(file: string, value: string): Promise<void> {
  try {
    fsSync.writeFileSync(file, value);
  } catch (err) {
    throw new CgroupError(`write "${value.trim()}" to`, file, err);
  }
}

/** Moves a process into a group (cgroup.procs), off the event loop: it may take milliseconds. */
export async function moveProcess(procsFile: string, pid: number): Promise<void> {
  try {
    await fs.writeFile(procsFile, String(pid));
  } catch (err) {
    throw new CgroupError(`write "${pid}" to`, procsFile, err);
  }
}

export async function readFile(file: string): Promise<string> {
  try {
    return fsSync.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CgroupError('read', file, err);
  }
}

export async function exists(file: string): Promise<boolean> {
  return fsSync.existsSync(file);
}

/** Creates a group and any missing ancestors; returns the top-most one it created, if any. */
export async function mkdirp(dir: string): Promise<string | undefined> {
  try {
    return fsSync.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CgroupError('create', dir, err);
  }
}

/**
 * Removes dir's ancestors up to and including top, the groups an engine created above
 * its instance, deepest first; stops at the first still in use (another engine's).
 */
export async function removeCreatedAncestors(dir: string, top: string | undefined): Promise<void> {
  if (top === undefined) return;
  for (let d = path.dirname(dir); d === top || d.startsWith(`${top}/`); d = path.dirname(d)) {
    try {
      fsSync.rmdirSync(d);
    } catch {
      return;
    }
  }
}

/** Reads `key value` lines (memory.events, cpu.stat, memory.oom_control). */
export function parseKeyed(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value && /^\d+$/.test(value)) out.set(key, BigInt(value));
  }
  return out;
}

export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map(Number);
}

/** rmdir that retries while the kernel still tears down exiting tasks (EBUSY). */
export async function removeGroup(dir: string, attempts = 50): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      fsSync.rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= attempts) throw new CgroupError('remove', dir, err);
      await sleep(Math.min(2 + i * 2, 20));
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Kernel limits take "max" for none; we write -1 nowhere (runc's convention, written once). */
export function limitValue(n: number): string {
  return Number.isFinite(n) && n >= 0 ? String(Math.floor(n)) : 'max';
}

/** names of the child groups of a cgroup directory; none when it does not exist */
export async function listChildren(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** SIGKILLs every process listed in a cgroup.procs file; returns how many were listed. */
export async function killListed(procsFile: string): Promise<number> {
  let pids: number[];
  try {
    pids = parsePids(await readFile(procsFile));
  } catch (err) {
    if (err instanceof CgroupError && err.code === 'ENOENT') return 0;
    throw err;
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}

/**
 * Removes the instance groups (`i-…`) below a parent whose engine is gone (after a
 * crash): each box group through the driver's destroyBox (which kills what is left),
 * then the instance group, in every hierarchy dir given. Returns the instances swept.
 */
export async function sweepInstances(
  parentDirs: readonly string[],
  parentRel: string,
  isAlive: (instance: string) => boolean,
  destroyBox: (rel: string) => Promise<void>,
): Promise<string[]> {
  const swept = new Set<string>();
  for (const dir of parentDirs) {
    for (const instance of await listChildren(dir)) {
      if (!instance.startsWith('i-') || isAlive(instance)) continue;
      const instanceRel = path.posix.join(parentRel, instance);
      for (const box of await listChildren(path.join(dir, instance)))
        await destroyBox(path.posix.join(instanceRel, box));
      await removeGroup(path.join(dir, instance));
      swept.add(instanceRel);
    }
  }
  return [...swept];
}
