/**
 * Every limit of a box, its server default and its server maximum, in one place.
 * Units live in the names. A request may lower or raise a limit up to the maximum;
 * over it, resolveLimits throws a LimitError naming the field and the maximum.
 */

export interface Limits {
  /** cpu time, user+system, of all the box's processes together (cgroup accounting) */
  readonly cpuMs: number;
  /** wall clock from the moment the box is released */
  readonly wallMs: number;
  /** memory+swap charge of the box's cgroup: no swap is ever used */
  readonly memoryBytes: number;
  /** processes and threads alive at once */
  readonly pids: number;
  /** bytes kept of stdout, and of stderr, each; more kills the box (OUTPUT_LIMIT) */
  readonly outputBytes: number;
  /** largest file a process may write (RLIMIT_FSIZE; over it: SIGXFSZ / EFBIG) */
  readonly fileSizeBytes: number;
  /** open descriptors per process (RLIMIT_NOFILE) */
  readonly openFiles: number;
  /** stack per process (RLIMIT_STACK) */
  readonly stackBytes: number;
  /** size of the writable work dir /box (a tmpfs) */
  readonly workDirBytes: number;
  /** size of /tmp (a tmpfs) */
  readonly tmpBytes: number;
  /** cpu share in cores; a box never gets more than this much of the machine */
  readonly cpus: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const DEFAULT_LIMITS: Limits = {
  cpuMs: 5_000,
  wallMs: 10_000,
  memoryBytes: 256 * MiB,
  pids: 64,
  outputBytes: 1 * MiB,
  fileSizeBytes: 16 * MiB,
  openFiles: 256,
  stackBytes: 64 * MiB,
  workDirBytes: 64 * MiB,
  tmpBytes: 64 * MiB,
  cpus: 1,
};

export const MAX_LIMITS: Limits = {
  cpuMs: 60_000,
  wallMs: 300_000,
  memoryBytes: 4 * GiB,
  pids: 1024,
  outputBytes: 64 * MiB,
  fileSizeBytes: 1 * GiB,
  openFiles: 4096,
  stackBytes: 1 * GiB,
  workDirBytes: 1 * GiB,
  tmpBytes: 1 * GiB,
  cpus: 4,
};

/** the smallest value that still lets a process start */
const MIN_LIMITS: Limits = {
  cpuMs: 1,
  wallMs: 1,
  memoryBytes: 4 * MiB,
  pids: 2,
  outputBytes: 0,
  fileSizeBytes: 0,
  openFiles: 8,
  stackBytes: 64 * KiB,
  workDirBytes: 64 * KiB,
  tmpBytes: 64 * KiB,
  cpus: 0.01,
};

export const LIMIT_FIELDS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

export interface LimitPolicy {
  readonly defaults: Limits;
  readonly maxima: Limits;
}

export const DEFAULT_POLICY: LimitPolicy = { defaults: DEFAULT_LIMITS, maxima: MAX_LIMITS };

export class LimitError extends Error {
  /** a limit's name, or a field around the limits (a request's) */
  readonly field: string;
  readonly maximum: number | undefined;
  constructor(field: string, message: string, maximum?: number) {
    super(`limits.${field}: ${message}`);
    this.name = 'LimitError';
    this.field = field;
    this.maximum = maximum;
  }
}

export function resolveLimits(
  requested: Partial<Record<string, unknown>> = {},
  policy: LimitPolicy = DEFAULT_POLICY,
): Limits {
  for (const key of Object.keys(requested)) {
    if (!(LIMIT_FIELDS as string[]).includes(key))
      throw new LimitError(key, `unknown limit (known: ${LIMIT_FIELDS.join(', ')})`);
  }
  const out: Record<string, number> = {};
  for (const field of LIMIT_FIELDS) {
    const value = requested[field] ?? policy.defaults[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new LimitError(field, 'must be a finite number');
    if (field !== 'cpus' && !Number.isInteger(value)) throw new LimitError(field, 'must be an integer');
    if (value < MIN_LIMITS[field]) throw new LimitError(field, `must be at least ${MIN_LIMITS[field]}`);
    if (value > policy.maxima[field])
      throw new LimitError(field, `${value} is over the maximum ${policy.maxima[field]}`, policy.maxima[field]);
    out[field] = value;
  }
  return out as unknown as Limits;
}
