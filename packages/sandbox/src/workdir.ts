/**
 * The run's work dir: a tmpfs of its own, mounted by the engine on the host at
 * <workRoot>/<instance>/<box> and bound into the box at /box. Its size is the work-dir
 * limit, so filling it is ENOSPC inside the box and never touches the host's disk.
 *
 * The files are written by the engine before the box exists, so nothing in the box can
 * have planted a symlink yet; each is created with O_EXCL|O_NOFOLLOW all the same, and
 * then handed to the run's uid.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MS_NODEV, MS_NOSUID, mountTmpfs, unmount } from './native/libc.js';
import type { FileSpec } from './spec.js';

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY } = fs.constants;

/** Creates <root>/<instance> (root-only listing, traversable by the launcher's uid). */
export function prepareInstanceDir(workRoot: string, instance: string): string {
  fs.mkdirSync(workRoot, { recursive: true, mode: 0o711 });
  fs.chmodSync(workRoot, 0o711);
  const dir = path.join(workRoot, instance);
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711);
  return dir;
}

export function createWorkDir(instanceDir: string, name: string, uid: number, gid: number, sizeBytes: number): string {
  const dir = path.join(instanceDir, name);
  fs.mkdirSync(dir, { mode: 0o700 });
  // the box's inodes are bounded too: a million empty files would cost no bytes
  const inodes = Math.max(1024, Math.floor(sizeBytes / 4096));
  mountTmpfs(dir, MS_NOSUID | MS_NODEV, `size=${sizeBytes},nr_inodes=${inodes},mode=0700,uid=${uid},gid=${gid}`);
  return dir;
}

export function placeFiles(dir: string, files: readonly FileSpec[], uid: number, gid: number): void {
  for (const file of files) {
    const segments = file.path.split('/');
    let parent = dir;
    for (const seg of segments.slice(0, -1)) {
      parent = path.join(parent, seg);
      if (!fs.existsSync(parent)) {
        fs.mkdirSync(parent, { mode: 0o755 });
        fs.chownSync(parent, uid, gid);
      }
    }
    const fd = fs.openSync(path.join(dir, file.path), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, file.mode ?? 0o644);
    try {
      fs.writeSync(fd, typeof file.content === 'string' ? Buffer.from(file.content) : file.content);
      fs.fchownSync(fd, uid, gid);
      fs.fchmodSync(fd, file.mode ?? 0o644);
    } finally {
      fs.closeSync(fd);
    }
  }
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
export function sweepStaleWorkDirs(workRoot: string, mountinfo: string, isAlive: (instance: string) => boolean): string[] {
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
