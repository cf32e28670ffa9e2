/**
 * Configuration comes from environment variables, read once at start by a process's
 * loadConfig(env) — never at import, never by a package on its own (trigger.dev's env.ts,
 * Piston's config.js). Each variable is one entry: what it means, its default, and how its
 * text becomes a value; a bad value is one line naming the variable. The default is
 * declared there and nowhere else: it is applied as a set value would be, and the
 * configuration docs are generated from these entries (scripts/config-docs.mjs; a test
 * holds docs/configuration.md to them).
 */

export interface Variable<C> {
  /** one line for --help and the docs, without the default (the docs add it) */
  readonly doc: string;
  /**
   * the value when the variable is not set, written as it would be set, applied through
   * `apply`; a function where it follows the host or another variable (given the config
   * with every set variable applied); none: the field keeps its initial value
   */
  readonly default?: string | ((c: C) => string);
  /** the default as the docs say it, where it is not a plain value, or there is none */
  readonly defaultDoc?: string;
  /** sets `into` from the text, or returns what is wrong with it */
  readonly apply: (value: string, into: C) => string | undefined;
  /** the value as an error line may show it (a URL without its password); default: as is */
  readonly show?: (value: string) => string;
}

export type Variables<C> = Readonly<Record<string, Variable<C>>>;

/** the engine's settings a process reads from its environment (the engine's SandboxConfig has them) */
export interface EngineSettings {
  cgroupParent?: string;
  workRoot?: string;
  uidBase?: number;
  uidCount?: number;
  /** launchers started ahead of need (not a variable: the CLI, running one box, sets 0) */
  prestart?: number;
  /** how many next uid ranges to try when the first is another engine's (0: it must be free) */
  uidSearch?: number;
}

export class ConfigError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
    this.lines = lines;
  }
}

/**
 * Applies every variable present in env, then the default of each that is not; throws
 * one ConfigError listing every bad value. `into` holds the fields no variable sets, and
 * those whose variable has no default.
 */
export function loadVariables<C>(
  env: Readonly<Record<string, string | undefined>>,
  variables: Variables<C>,
  into: C,
): C {
  const problems: string[] = [];
  const unset: [string, Variable<C>][] = [];
  for (const [name, variable] of Object.entries(variables)) {
    const value = env[name];
    if (value === undefined || value === '') {
      unset.push([name, variable]);
      continue;
    }
    const problem = variable.apply(value, into);
    if (problem) problems.push(`${name}=${JSON.stringify(variable.show ? variable.show(value) : value)}: ${problem}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  for (const [name, variable] of unset) {
    if (variable.default === undefined) continue;
    const value = typeof variable.default === 'function' ? variable.default(into) : variable.default;
    const problem = variable.apply(value, into);
    // a default its own variable refuses is a mistake in this file, not the user's
    if (problem) throw new Error(`the default of ${name}, ${JSON.stringify(value)}, is refused: ${problem}`);
  }
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
    const b = ({ true: true, 1: true, false: false, 0: false } as Record<string, boolean | undefined>)[
      v.trim().toLowerCase()
    ];
    if (b === undefined) return 'must be true or false';
    set(b, c);
    return undefined;
  };
}

/** a size (parseBytes: 5m, 512k, 1g, bytes) of at least min and, when given, at most max, said as those sizes */
export function byteSize<C>(
  min: string,
  max: string | undefined,
  example: string,
  set: (n: number, c: C) => void,
): Variable<C>['apply'] {
  const lo = parseBytes(min) ?? 0;
  const hi = max === undefined ? Infinity : (parseBytes(max) ?? Infinity);
  const range = max === undefined ? `of at least ${min}` : `between ${min} and ${max}`;
  return (v, c) => {
    const n = parseBytes(v);
    if (n === undefined || n < lo || n > hi) return `must be a size ${range}, e.g. ${example}`;
    set(n, c);
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

/** what every process that makes boxes is told: the engine's settings and the root */
export interface HostConfig {
  sandbox: EngineSettings;
  /** the data directory: the image root at <dir>/rootfs/bookworm, Redis's files */
  dataDir: string;
  /** host | image | a directory; undefined: the image when built, else the host */
  rootfs: string | undefined;
}

export const DEFAULT_DATA_DIR = '/var/lib/codebox';

/**
 * how many uid ranges past the first an engine may try when it was given none: with the
 * default range, engines on one host (two workers, a worker and a CLI) each find their own
 */
export const UID_RANGES_SEARCHED = 63;

/** the fields no variable's default sets; the engine's settings left unset take the engine's defaults */
export function defaultHostConfig(): HostConfig {
  return { sandbox: { uidSearch: UID_RANGES_SEARCHED }, dataDir: DEFAULT_DATA_DIR, rootfs: undefined };
}

export const HOST_VARIABLES: Variables<HostConfig> = {
  // The cgroup parent, relative to each hierarchy's root (e.g. codebox-test). Unset: a
  // `codebox` child of the process's own cgroup, which is what systemd delegates.
  CODEBOX_CGROUP_PARENT: {
    doc: 'cgroup parent, relative to each hierarchy root',
    defaultDoc: '`<own cgroup>/codebox`',
    apply: (v, c) => {
      if (!/^[A-Za-z0-9_.\-/]+$/.test(v) || v.split('/').includes('..'))
        return 'must be a path of plain names, e.g. codebox-test';
      c.sandbox.cgroupParent = v;
      return undefined;
    },
  },
  // Where the engine mounts each run's work-dir tmpfs (root-only). The engine's settings have
  // their defaults in the engine (sandbox/config.ts): a test holds these docs to them.
  CODEBOX_WORK_ROOT: {
    doc: 'directory for work-dir mounts, root-only',
    defaultDoc: '`/run/codebox` (`/var/lib/codebox/run` on a host without `/run`)',
    apply: absolutePath((v, c) => (c.sandbox.workRoot = v)),
  },
  // First host uid given to boxes; one uid per concurrent run. Set, the range must be free
  // (no other engine on the host holds it); unset, each engine takes the first free range
  // from the engine's default.
  CODEBOX_UID_BASE: {
    doc: 'first host uid for boxes; when set, its range must be free of other engines on the host',
    defaultDoc: 'the first free range of `CODEBOX_UID_COUNT` uids from `200000000`',
    apply: wholeNumber(1000, 4_000_000_000, (n, c) => {
      c.sandbox.uidBase = n;
      c.sandbox.uidSearch = 0;
    }),
  },
  // How many uids (and so concurrent runs) from CODEBOX_UID_BASE.
  CODEBOX_UID_COUNT: {
    doc: 'number of box uids, i.e. concurrent runs',
    defaultDoc: '`256`',
    apply: wholeNumber(1, 65536, (n, c) => (c.sandbox.uidCount = n)),
  },
  // The data directory: the image root is built at <dir>/rootfs/bookworm, npm start's
  // Redis keeps its files at <dir>/redis.
  CODEBOX_DATA_DIR: {
    doc: 'data directory: the image root, the embedded Redis',
    default: DEFAULT_DATA_DIR,
    apply: absolutePath((v, c) => (c.dataDir = v)),
  },
  // The boxes' root: host, image, or a directory. Unset: the image when built, else the host.
  CODEBOX_ROOTFS: {
    doc: 'root filesystem: host, image or an absolute directory',
    defaultDoc: 'the image when built, else host',
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

/** the fields no variable's default sets */
export function defaultRedisConfig(): Pick<RedisConfig, 'redisUrl'> {
  return { redisUrl: undefined };
}

export const REDIS_VARIABLES: Variables<RedisConfig> = {
  // The Redis to use. Unset: npm start runs a private one on a unix socket in the data dir
  // (and npm run api / worker refuse to start). A Redis Cluster is named by seed nodes:
  // redis+cluster://host:port,host:port (rediss+ for TLS); its full form is checked by
  // redisProblems.
  REDIS_URL: {
    doc: 'redis://host:port, rediss://…, unix:///path/redis.sock, or redis+cluster://host:port,host:port',
    defaultDoc: 'none: `npm start` runs its own',
    apply: (v, c) => {
      if (!/^(redis|rediss|redis\+cluster|rediss\+cluster|unix):\/\//.test(v))
        return 'must start with redis://, rediss://, redis+cluster://, rediss+cluster:// or unix://';
      c.redisUrl = v;
      return undefined;
    },
    show: (v) => withoutPassword(v),
  },
  // Every key codebox and BullMQ write starts with it. On Redis Cluster it must carry a hash
  // tag, e.g. {codebox}, to put every key in one slot (redisProblems).
  CODEBOX_REDIS_PREFIX: {
    doc: 'Redis key prefix (on Redis Cluster with a hash tag: `{codebox}`)',
    default: 'codebox',
    apply: (v, c) => {
      if (!/^[A-Za-z0-9_{}:.-]{1,64}$/.test(v)) return 'must be 1-64 of A-Z a-z 0-9 _ { } : . -';
      c.redisPrefix = v;
      return undefined;
    },
  },
  // Finished jobs are kept this long, in seconds.
  CODEBOX_RESULT_TTL_S: {
    doc: 'how long finished jobs are kept, s',
    default: '3600',
    apply: wholeNumber(10, 30 * 86_400, (n, c) => (c.resultTtlS = n)),
  },
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
  return url.replace(
    /^(\s*["']?[a-z][a-z0-9+.-]*:\/*)?.*@/is,
    (_m, scheme: string | undefined) => `${scheme ?? ''}***@`,
  );
}

/** a size like 5m, 512k, 1g or plain bytes */
export function parseBytes(v: string): number | undefined {
  const m = /^(\d+)([kmg]?)$/i.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}
