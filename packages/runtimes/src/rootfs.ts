/**
 * Which root filesystem boxes get: `host` (the host's system directories, read-only),
 * `image` (the bookworm tree `npm run rootfs` builds under the data directory), or any
 * directory. The default is the image when it has been built, else the host.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Root } from './detect.js';

/** where rootfs/build.sh puts the image, under the data directory */
export function imageDir(dataDir: string): string {
  return path.join(dataDir, 'rootfs', 'bookworm');
}

/** the build's stamp: written last, so a tree without it is not finished */
export function imageBuilt(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'etc', 'codebox-image'));
}

export class RootfsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RootfsError';
  }
}

/** `choice`: host | image | an absolute directory | undefined for the default */
export function chooseRoot(choice: string | undefined, dataDir: string): Root {
  const image = imageDir(dataDir);
  if (choice === undefined || choice === '')
    return imageBuilt(image) ? reachable({ name: 'image', path: image }) : { name: 'host', path: undefined };
  if (choice === 'host') return { name: 'host', path: undefined };
  if (choice === 'image') {
    if (!imageBuilt(image)) throw new RootfsError(`the image root is not built at ${image}: run npm run rootfs`);
    return reachable({ name: 'image', path: image });
  }
  if (!path.isAbsolute(choice))
    throw new RootfsError(`rootfs "${choice}" must be host, image or an absolute directory`);
  if (!fs.statSync(choice, { throwIfNoEntry: false })?.isDirectory())
    throw new RootfsError(`rootfs ${choice} is not a directory`);
  return reachable({ name: choice, path: choice });
}

/**
 * A root the box uids can reach: they are "others" to every directory on its path (all
 * root's), so each must have o+x, or every box fails at its first mount. Said at start,
 * with the fix, rather than as each job's LAUNCH_FAILED.
 */
function reachable(root: Root): Root {
  const closed = closedOnTheWay(root.path ?? '/');
  if (closed) {
    throw new RootfsError(
      `the ${root.name === root.path ? '' : `${root.name} `}root ${root.path} cannot be reached by the box users: ${closed} lets no one else through (mode ${(fs.statSync(closed).mode & 0o777).toString(8)}): chmod o+x ${closed}`,
    );
  }
  return root;
}

/** the first directory on the way to `dir` (itself included) without o+x, if any */
export function closedOnTheWay(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = fs.statSync(d, { throwIfNoEntry: false });
    if (st && (st.mode & 0o001) === 0) return d;
    if (d === path.dirname(d)) return undefined;
  }
}
