/**
 * cgroup files are plain files; these wrappers turn a failure into a CgroupError that
 * names the file, what was written and the errno, so a setup failure says exactly what
 * the kernel refused.
 */
import fs from 'node:fs/promises';

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
    await fs.writeFile(file, value);
  } catch (err) {
    throw new CgroupError(`write "${value.trim()}" to`, file, err);
  }
}

export async function readFile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new CgroupError('read', file, err);
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

export async function mkdirp(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new CgroupError('create', dir, err);
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
      await fs.rmdir(dir);
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
