/**
 * Configuration comes from environment variables, read once at start by a process's
 * loadConfig(env) — never at import, never by a package on its own (trigger.dev's env.ts,
 * Piston's config.js). Each variable is one entry: what it means, and how its text becomes
 * a value; a bad value is one line naming the variable. Every variable has a default.
 */
import type { SandboxConfig } from '@codebox/sandbox';

export interface Variable<C> {
  /** one line for --help and the README */
  readonly doc: string;
  /** sets `into` from the text, or returns what is wrong with it */
  readonly apply: (value: string, into: C) => string | undefined;
  /** the value as an error line may show it (a URL without its password); default: as is */
  readonly show?: (value: string) => string;
}

export type Variables<C> = Readonly<Record<string, Variable<C>>>;

export class ConfigError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
    this.lines = lines;
  }
}

/** Applies every variable present in env; throws one ConfigError listing every bad one. */
export function loadVariables<C>(env: Readonly<Record<string, string | undefined>>, variables: Variables<C>, into: C): C {
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(variables)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const problem = variable.apply(value, into);
    if (problem) problems.push(`${name}=${JSON.stringify(variable.show ? variable.show(value) : value)}: ${problem}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return into;
}

export function wholeNumber<C>(min: number, max: number, set: (n: number, c: C) => void): Variable<C>['apply'] {
  return (v, c) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) return `must be a whole number between ${min} and ${max}`;
    set(n, c);
    return undefined;
  };
}

/** true or false (1 or 0 too) */
export function flag<C>(set: (b: boolean, c: C) => void): Variable<C>['apply'] {
  return (v, c) => {
    const b = ({ true: true, 1: true, false: false, 0: false } as Record<string, boolean | undefined>)[v.trim().toLowerCase()];
    if (b === undefined) return 'must be true or false';
    set(b, c);
    return undefined;
  };
}

export function absolutePath<C>(set: (p: string, c: C) => void): Variable<C>['apply'] {
  return (v, c) => {
    if (!v.startsWith('/')) return 'must be an absolute path';
    set(v, c);
    return undefined;
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** what every process that makes boxes is told: the engine's settings and the root */
export interface HostConfig {
  sandbox: Mutable<SandboxConfig>;
  /** the data directory: the image root at <dir>/rootfs/bookworm, Redis's files */
  dataDir: string;
  /** host | image | a directory; undefined: the image when built, else the host */
  rootfs: string | undefined;
}

export const DEFAULT_DATA_DIR = '/var/lib/codebox';

export function defaultHostConfig(): HostConfig {
  return { sandbox: {}, dataDir: DEFAULT_DATA_DIR, rootfs: undefined };
}

export const HOST_VARIABLES: Variables<HostConfig> = {
  // The cgroup parent, relative to each hierarchy's root (e.g. codebox-test). Default: a
  // `codebox` child of the process's own cgroup, which is what systemd delegates.
  CODEBOX_CGROUP_PARENT: {
    doc: 'cgroup parent, relative to each hierarchy root (default: <own cgroup>/codebox)',
    apply: (v, c) => {
      if (!/^[A-Za-z0-9_.\-/]+$/.test(v) || v.split('/').includes('..')) return 'must be a path of plain names, e.g. codebox-test';
      c.sandbox.cgroupParent = v;
      return undefined;
    },
  },
  // Where the engine mounts each run's work-dir tmpfs. Default: /run/codebox.
  CODEBOX_WORK_ROOT: {
    doc: 'directory for work-dir mounts, root-only (default /run/codebox)',
    apply: absolutePath((v, c) => (c.sandbox.workRoot = v)),
  },
  // First host uid given to boxes; one uid per concurrent run. Default: 200000000.
  CODEBOX_UID_BASE: {
    doc: 'first host uid for boxes (default 200000000)',
    apply: wholeNumber(1000, 4_000_000_000, (n, c) => (c.sandbox.uidBase = n)),
  },
  // How many uids (and so concurrent runs) from CODEBOX_UID_BASE. Default: 256.
  CODEBOX_UID_COUNT: {
    doc: 'number of box uids, i.e. concurrent runs (default 256)',
    apply: wholeNumber(1, 65536, (n, c) => (c.sandbox.uidCount = n)),
  },
  // The data directory: the image root is built at <dir>/rootfs/bookworm. Default: /var/lib/codebox.
  CODEBOX_DATA_DIR: {
    doc: 'data directory: the image root, the embedded Redis (default /var/lib/codebox)',
    apply: absolutePath((v, c) => (c.dataDir = v)),
  },
  // The boxes' root: host, image, or a directory. Default: image when built, else host.
  CODEBOX_ROOTFS: {
    doc: 'root filesystem: host, image or an absolute directory (default: image when built)',
    apply: (v, c) => {
      if (v !== 'host' && v !== 'image' && !v.startsWith('/')) return 'must be host, image or an absolute directory';
      c.rootfs = v;
      return undefined;
    },
  },
};

/** the Redis every role shares */
export interface RedisConfig {
  /** redis://, rediss://, unix:///path, or redis+cluster://host:port,…; undefined: `npm start` runs its own */
  redisUrl: string | undefined;
  /** key prefix; on Redis Cluster it must carry a hash tag ({codebox}) */
  redisPrefix: string;
  /** how long a finished job's record, result and events are kept */
  resultTtlS: number;
}

export const REDIS_VARIABLES: Variables<RedisConfig> = {
  // The Redis to use. Default: npm start runs a private one on a unix socket in the data dir.
  // A Redis Cluster is named by seed nodes: redis+cluster://host:port,host:port (rediss+ for
  // TLS); its full form is checked by redisProblems.
  REDIS_URL: {
    doc: 'redis://host:port, rediss://…, unix:///path/redis.sock, or redis+cluster://host:port,host:port (default: npm start runs its own)',
    apply: (v, c) => {
      if (!/^(redis|rediss|redis\+cluster|rediss\+cluster|unix):\/\//.test(v)) return 'must start with redis://, rediss://, redis+cluster://, rediss+cluster:// or unix://';
      c.redisUrl = v;
      return undefined;
    },
    show: (v) => withoutPassword(v),
  },
  // Every key codebox and BullMQ write starts with it. Default: codebox. On Redis Cluster it
  // must carry a hash tag, e.g. {codebox}, to put every key in one slot (redisProblems).
  CODEBOX_REDIS_PREFIX: {
    doc: 'Redis key prefix (default codebox; {codebox} on Redis Cluster)',
    apply: (v, c) => {
      if (!/^[A-Za-z0-9_{}:.-]{1,64}$/.test(v)) return 'must be 1-64 of A-Z a-z 0-9 _ { } : . -';
      c.redisPrefix = v;
      return undefined;
    },
  },
  // Finished jobs are kept this long. Default 3600.
  CODEBOX_RESULT_TTL_S: { doc: 'how long finished jobs are kept, s (default 3600)', apply: wholeNumber(10, 30 * 86_400, (n, c) => (c.resultTtlS = n)) },
};

/**
 * The Redis settings' checks that need the package that connects (@codebox/jobs): a URL's
 * whole form, and the prefix a URL needs (a cluster's hash tag). Each says what is wrong
 * in one line, or undefined. Passed in by each process's loadConfig, as config sits below
 * jobs in the layers and may not import it; so one parser serves config and connect().
 */
export interface RedisChecks {
  url(url: string): string | undefined;
  prefix(url: string, prefix: string): string | undefined;
}

/**
 * Cross-field Redis rules, after loadVariables: one line per bad value, naming it. The
 * prefix is named even when it is the default, as that is the variable to set.
 */
export function redisProblems(config: RedisConfig, checks: RedisChecks): string[] {
  const url = config.redisUrl;
  if (url === undefined) return [];
  const urlProblem = checks.url(url);
  if (urlProblem) return [`REDIS_URL=${JSON.stringify(withoutPassword(url))}: ${urlProblem}`];
  const prefixProblem = checks.prefix(url, config.redisPrefix);
  return prefixProblem ? [`CODEBOX_REDIS_PREFIX=${JSON.stringify(config.redisPrefix)}: ${prefixProblem}`] : [];
}

/**
 * A URL fit for a log line: its password replaced by ***. Any text, a mistyped URL too
 * (`redis:/u:pw@h`, a leading space, quotes an env file kept): what is not a well-formed
 * `scheme://user:password@` has all it holds before its last @ hidden.
 */
export function withoutPassword(url: string): string {
  if (!url.includes('@')) return url;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^:@/]*@/i.test(url)) return url; // a user and no password
  const wellFormed = /^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:).*@/i;
  if (wellFormed.test(url)) return url.replace(wellFormed, (_m, head: string) => `${head}***@`);
  return url.replace(/^(\s*["']?[a-z][a-z0-9+.-]*:\/*)?.*@/is, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/** a size like 5m, 512k, 1g or plain bytes */
export function parseBytes(v: string): number | undefined {
  const m = /^(\d+)([kmg]?)$/i.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}
