/**
 * The /etc files that describe the box rather than the host: one user, `box`, uid and
 * gid 65534 inside the box (a per-slot unprivileged uid on the host), and a hosts file
 * that knows only the box itself.
 */
import fs from 'node:fs';
import path from 'node:path';

export const BOX_UID = 65534;
export const BOX_GID = 65534;
export const BOX_HOSTNAME = 'box';
export const BOX_WORKDIR = '/box';

export const BOX_ETC: Readonly<Record<string, string>> = {
  passwd: `box:x:${BOX_UID}:${BOX_GID}:box:${BOX_WORKDIR}:/bin/sh\n`,
  group: `box:x:${BOX_GID}:\n`,
  hosts: `127.0.0.1\tlocalhost ${BOX_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
  'nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n',
};

/** Writes the files into dir (readable by the unprivileged launcher). */
export function writeBoxEtc(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(BOX_ETC)) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
  }
}
