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
  if (choice === undefined || choice === '') return imageBuilt(image) ? { name: 'image', path: image } : { name: 'host', path: undefined };
  if (choice === 'host') return { name: 'host', path: undefined };
  if (choice === 'image') {
    if (!imageBuilt(image)) throw new RootfsError(`the image root is not built at ${image}: run npm run rootfs`);
    return { name: 'image', path: image };
  }
  if (!path.isAbsolute(choice)) throw new RootfsError(`rootfs "${choice}" must be host, image or an absolute directory`);
  if (!fs.statSync(choice, { throwIfNoEntry: false })?.isDirectory()) throw new RootfsError(`rootfs ${choice} is not a directory`);
  return { name: choice, path: choice };
}
