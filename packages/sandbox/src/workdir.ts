/**
 * The run's work dir: a tmpfs of its own, mounted by the engine on the host at
 * <workRoot>/<instance>/<box> and bound into the box at /box. Its size is the work-dir
 * limit, so filling it is ENOSPC inside the box and never touches the host's disk. It
 * starts empty: the box init writes the run's files into it from inside the box, so
 * their pages are charged to the box's memory, not the engine's.
 *
 * The instance's sys dir, <workRoot>/<instance>/sys, is a small tmpfs too: the box init
 * and the box's /etc files, bound into every box from there (box-etc.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { MS_NODEV, MS_NOSUID, MS_REMOUNT, mountDevpts, mountTmpfs, unmount } from './native/libc.js';

/** Creates <root>/<instance> (root-only listing, traversable by the launcher's uid). */
export function prepareInstanceDir(workRoot: string, instance: string): string {
  fs.mkdirSync(workRoot, { recursive: true, mode: 0o711 });
  fs.chmodSync(workRoot, 0o711);
  const dir = path.join(workRoot, instance);
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711);
  return dir;
}

/** the box's inodes are bounded too: a million empty files would cost no bytes */
function sizeOptions(sizeBytes: number): string {
  return `size=${sizeBytes},nr_inodes=${Math.max(1024, Math.floor(sizeBytes / 4096))}`;
}

export function createWorkDir(instanceDir: string, name: string, uid: number, gid: number, sizeBytes: number): string {
  const dir = path.join(instanceDir, name);
  fs.mkdirSync(dir, { mode: 0o700 });
  // owned by chown rather than a uid= option, which the box would read in its mount table
  mountTmpfs(dir, MS_NOSUID | MS_NODEV, `${sizeOptions(sizeBytes)},mode=0700`);
  fs.chownSync(dir, uid, gid);
  return dir;
}

/**
 * A prepared box's (empty) work dir sized for its run: the same tmpfs, remounted, so the
 * box, which has it bound at /box, sees the new size at once.
 */
export function resizeWorkDir(dir: string, sizeBytes: number): void {
  mountTmpfs(dir, MS_REMOUNT | MS_NOSUID | MS_NODEV, sizeOptions(sizeBytes));
}

/** terminals a session may have open at once: its devpts's max */
export const MAX_TERMINALS = 16;

/**
 * A session's devpts, a new instance of its own: bound at the box's /dev/pts, so its
 * terminals have names there (tty, ttyname), and the box's alone. Its ptmx is root's
 * (ptmxmode 0600): only the engine opens terminals, at most MAX_TERMINALS at a time; the
 * terminals themselves belong to the box's uid.
 */
export function createPtsDir(instanceDir: string, name: string, uid: number): string {
  const dir = path.join(instanceDir, `${name}.pts`);
  fs.mkdirSync(dir, { mode: 0o755 });
  mountDevpts(dir, `newinstance,ptmxmode=0600,mode=0620,uid=${uid},gid=${uid},max=${MAX_TERMINALS}`);
  return dir;
}

/** the instance's sys dir: a tmpfs the box uids can read, written once at start */
export function createSysDir(instanceDir: string): string {
  const dir = path.join(instanceDir, 'sys');
  fs.mkdirSync(dir, { mode: 0o755 });
  mountTmpfs(dir, MS_NOSUID | MS_NODEV, 'size=8m,nr_inodes=64,mode=0755');
  return dir;
}

export function removeWorkDir(dir: string): void {
  unmount(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Unmounts and removes the work dirs of engine instances that are gone (after a crash),
 * by scanning the mount table rather than the directory, so a mount whose directory
 * was already removed is found too.
 */
export function sweepStaleWorkDirs(
  workRoot: string,
  mountinfo: string,
  isAlive: (instance: string) => boolean,
): string[] {
  const swept: string[] = [];
  const prefix = path.resolve(workRoot) + '/';
  for (const line of mountinfo.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (!mountPoint?.startsWith(prefix)) continue;
    const instance = mountPoint.slice(prefix.length).split('/')[0] ?? '';
    if (isAlive(instance)) continue;
    unmount(mountPoint);
    swept.push(mountPoint);
  }
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(workRoot);
  } catch {
    return swept;
  }
  for (const instance of entries) {
    if (!instance.startsWith('i-') || isAlive(instance)) continue;
    fs.rmSync(path.join(workRoot, instance), { recursive: true, force: true });
  }
  return swept;
}
