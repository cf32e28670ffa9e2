/**
 * Reads a finished box's work dir back: its regular files, with their permission bits,
 * for the next box (a compile step's artifact). Everything in that directory was made by
 * the program, so it is read as hostile: every open goes through openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV and
 * O_NOFOLLOW, relative to a directory fd, so the kernel refuses any symlink rather than
 * following it, and no host path the program could have steered is ever opened. Symlinks,
 * fifos, sockets and devices are skipped and counted; so are files past the count limit.
 * setuid, setgid and sticky bits are dropped.
 *
 * Bytes are capped too, and a file is judged by what it would cost, not by what it took:
 * a sparse file (`truncate -s 100M`) takes no room in the box but would take its whole
 * size in the engine's memory and in the next box. Each file counts the larger of its
 * size and its allocated blocks against maxBytes; one that does not fit in what is left
 * is skipped (and its bytes counted in bytesOver), and nothing is read past the budget.
 *
 * With a `match`, only the files it takes are read, and only those count against the
 * limits or as skipped (a run's outputs, by their globs).
 *
 * Called after the box's last process is gone, so nothing changes the tree meanwhile;
 * the kernel-side checks hold even if something did. Needs Linux 5.6 (openat2).
 */
import fs from 'node:fs';
import {
  closeFd,
  NativeError,
  openat2,
  RESOLVE_BENEATH,
  RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
  RESOLVE_NO_XDEV,
} from './native/libc.js';

export interface CollectedFile {
  /** relative to the work dir, e.g. `main` or `out/Main.class` */
  readonly path: string;
  readonly content: Buffer;
  /** permission bits only (& 0o777) */
  readonly mode: number;
}

export interface Collected {
  readonly files: CollectedFile[];
  /** entries left behind: symlinks, fifos, sockets, devices, and files over the limits */
  readonly skipped: number;
  /** the bytes of the regular files left behind for the byte cap */
  readonly bytesOver: number;
}

export interface CollectLimits {
  readonly maxFiles: number;
  readonly maxPathLength: number;
  /** the most bytes read back in all */
  readonly maxBytes: number;
  /** which paths (relative, `/`-separated) are wanted; all when absent */
  readonly match?: (path: string) => boolean;
}

const { O_DIRECTORY, O_NOCTTY, O_NOFOLLOW, O_NONBLOCK, O_RDONLY } = fs.constants;
/** not in Node's fs.constants; the same on x86_64 and aarch64 */
const O_CLOEXEC = 0o2000000;
const AT_FDCWD = -100;
const OPEN_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
const RESOLVE = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
/** deeper than this is not an artifact anyone needs; it also bounds the recursion */
const MAX_DEPTH = 16;

export function collectFiles(workDir: string, limits: CollectLimits): Collected {
  const { maxFiles, maxPathLength, maxBytes } = limits;
  const wanted = limits.match ?? (() => true);
  const files: CollectedFile[] = [];
  let skipped = 0;
  let bytes = 0;
  let bytesOver = 0;
  const root = openat2(AT_FDCWD, workDir, OPEN_FLAGS | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
  if (root < 0) throw new NativeError('openat2', -root, workDir);

  const walk = (dirfd: number, prefix: string, depth: number): void => {
    // our own fd of a directory we opened: following this /proc link is following our fd
    const names = fs.readdirSync(`/proc/self/fd/${dirfd}`).sort();
    for (const name of names) {
      const rel = prefix + name;
      const fd = openat2(dirfd, name, OPEN_FLAGS, RESOLVE);
      if (fd < 0) {
        // ELOOP: a symlink; ENXIO: a socket; EACCES: a device on a nodev mount
        if (wanted(rel)) skipped++;
        continue;
      }
      try {
        const st = fs.fstatSync(fd);
        if (st.isDirectory() && depth < MAX_DEPTH) walk(fd, `${rel}/`, depth + 1);
        else if (!wanted(rel)) continue;
        else if (st.isFile() && files.length < maxFiles && rel.length <= maxPathLength) {
          const cost = Math.max(st.size, st.blocks * 512);
          if (bytes + cost > maxBytes) {
            skipped++;
            bytesOver += cost;
            continue;
          }
          bytes += cost;
          files.push({ path: rel, content: readAll(fd, st.size), mode: st.mode & 0o777 });
        } else skipped++;
      } finally {
        closeFd(fd);
      }
    }
  };
  try {
    walk(root, '', 0);
  } finally {
    closeFd(root);
  }
  return { files, skipped, bytesOver };
}

function readAll(fd: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = fs.readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return off === size ? buf : buf.subarray(0, off);
}
