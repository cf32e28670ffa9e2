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
/** in the sys dir: the box init, and an empty file that hides host files (plan/argv.ts MASKED) */
export const INIT_FILE = 'codebox-init';
export const EMPTY_FILE = 'empty';

export const BOX_ETC: Readonly<Record<string, string>> = {
  passwd: `box:x:${BOX_UID}:${BOX_GID}:box:${BOX_WORKDIR}:/bin/sh\n`,
  group: `box:x:${BOX_GID}:\n`,
  hosts: `127.0.0.1\tlocalhost ${BOX_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
  'nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n',
};

/**
 * Writes into the instance's sys dir (workdir.ts) what every box binds from there: the
 * /etc files above, an empty file to hide host files behind (plan/argv.ts MASKED), and
 * the box init, copied from where it was built (a path the box uids may not reach).
 */
export function writeBoxSys(dir: string, initBinary: string): void {
  const files: [string, string | Buffer, number][] = [
    ...Object.entries(BOX_ETC).map(([name, content]): [string, string, number] => [name, content, 0o644]),
    [EMPTY_FILE, '', 0o444],
    [INIT_FILE, fs.readFileSync(initBinary), 0o555],
  ];
  for (const [name, content, mode] of files) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
  }
}
