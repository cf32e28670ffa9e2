/**
 * The CLI's configuration, read from the environment once at start by loadConfig(env).
 * Every variable is optional; each bad value is reported as one line naming it.
 */
import type { SandboxConfig } from '@codebox/sandbox';
import { UsageError } from './usage-error.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface CliConfig {
  readonly sandbox: SandboxConfig;
  /** where `npm run rootfs` puts the image; default /var/lib/codebox */
  readonly dataDir: string;
  /** host | image | a directory; undefined: the image when built, else the host */
  readonly rootfs: string | undefined;
}

interface Variable {
  /** what it sets, for --help and error lines */
  readonly doc: string;
  readonly apply: (value: string, into: Mutable<SandboxConfig>, cli: Mutable<CliConfig>) => string | undefined;
}

export const DEFAULT_DATA_DIR = '/var/lib/codebox';

function wholeNumber(min: number, max: number, set: (n: number, c: Mutable<SandboxConfig>) => void): Variable['apply'] {
  return (v, c) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) return `must be a whole number between ${min} and ${max}`;
    set(n, c);
    return undefined;
  };
}

export const VARIABLES: Readonly<Record<string, Variable>> = {
  // The cgroup parent, relative to each hierarchy's root (e.g. codebox-test). Default: a
  // `codebox` child of the process's own cgroup, which is what systemd delegates.
  CODEBOX_CGROUP_PARENT: {
    doc: 'cgroup parent, relative to each hierarchy root',
    apply: (v, c) => {
      if (!/^[A-Za-z0-9_.\-/]+$/.test(v) || v.split('/').includes('..')) return 'must be a path of plain names, e.g. codebox-test';
      c.cgroupParent = v;
      return undefined;
    },
  },
  // Where the engine mounts each run's work-dir tmpfs. Default: /run/codebox.
  CODEBOX_WORK_ROOT: {
    doc: 'directory for work-dir mounts (root-only)',
    apply: (v, c) => {
      if (!v.startsWith('/')) return 'must be an absolute path';
      c.workRoot = v;
      return undefined;
    },
  },
  // First host uid given to boxes; one uid per concurrent run. Default: 200000000.
  CODEBOX_UID_BASE: {
    doc: 'first host uid for boxes',
    apply: wholeNumber(1000, 4_000_000_000, (n, c) => (c.uidBase = n)),
  },
  // How many uids (and so concurrent runs) from CODEBOX_UID_BASE. Default: 256.
  CODEBOX_UID_COUNT: {
    doc: 'number of box uids, i.e. concurrent runs',
    apply: wholeNumber(1, 65536, (n, c) => (c.uidCount = n)),
  },
  // The data directory: the image root is built at <dir>/rootfs/bookworm. Default: /var/lib/codebox.
  CODEBOX_DATA_DIR: {
    doc: 'data directory (the image root lives in rootfs/bookworm)',
    apply: (v, _c, cli) => {
      if (!v.startsWith('/')) return 'must be an absolute path';
      cli.dataDir = v;
      return undefined;
    },
  },
  // The boxes' root: host, image, or a directory. Default: image when built, else host.
  CODEBOX_ROOTFS: {
    doc: 'root filesystem: host, image or an absolute directory',
    apply: (v, _c, cli) => {
      if (v !== 'host' && v !== 'image' && !v.startsWith('/')) return 'must be host, image or an absolute directory';
      cli.rootfs = v;
      return undefined;
    },
  },
};

export function loadConfig(env: NodeJS.ProcessEnv): CliConfig {
  const sandbox: Mutable<SandboxConfig> = {};
  const cli: Mutable<CliConfig> = { sandbox, dataDir: DEFAULT_DATA_DIR, rootfs: undefined };
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(VARIABLES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const problem = variable.apply(value, sandbox, cli);
    if (problem) problems.push(`${name}=${JSON.stringify(value)}: ${problem}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return cli;
}
