/** Runs the built CLI as a user does, under the tests' cgroup parent and work root. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CGROUP_PARENT, UID_BASE, WORK_ROOT } from '../support.js';

export const CLI = path.join(import.meta.dirname, '..', '..', 'apps', 'cli', 'bin', 'codebox.js');

export function codebox(args: string[], input?: string | Buffer, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: input ?? '',
    env: {
      PATH: process.env.PATH,
      CODEBOX_CGROUP_PARENT: CGROUP_PARENT,
      CODEBOX_WORK_ROOT: WORK_ROOT,
      CODEBOX_UID_BASE: String(UID_BASE + 100),
      ...(process.env.CODEBOX_DATA_DIR ? { CODEBOX_DATA_DIR: process.env.CODEBOX_DATA_DIR } : {}),
      ...env,
    },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), raw: r.stdout };
}
