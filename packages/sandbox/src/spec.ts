/**
 * What a caller asks the engine to run, and its validation. Wire formats (HTTP, CLI
 * flags) are converted to a RunSpec by their callers; the engine sees only this.
 */
import type { Readable } from 'node:stream';
import { resolveLimits } from './limits.js';
import type { LimitPolicy, Limits } from './limits.js';
import type { NetworkMode } from './seccomp-policy.js';

export interface FileSpec {
  /** relative to the work dir /box, e.g. `main.py` or `src/lib.rs` */
  readonly path: string;
  readonly content: Buffer | string;
  /** permission bits, default 0o644; 0o755 for something to execute */
  readonly mode?: number;
}

/**
 * A host file shown read-only in the box at `path` (relative to /box): a bind mount, so
 * nothing is copied and nothing is charged to the box, however large the file. For data
 * the caller owns and trusts (a judge's test input and answer for its checker): the host
 * path must be a regular file readable by the box's uid (bwrap, unprivileged, opens it).
 */
export interface BindSpec {
  /** absolute host path of a regular file */
  readonly src: string;
  /** where it shows, relative to the work dir /box */
  readonly path: string;
}

export interface RunSpec {
  /** argv[0] is looked up in the box's PATH (env.PATH, else /bin:/usr/bin) */
  readonly argv: readonly string[];
  /** the whole environment: nothing of the engine's own leaks in */
  readonly env?: Readonly<Record<string, string>>;
  readonly files?: readonly FileSpec[];
  /** bytes, or a stream copied in as the program reads it */
  readonly stdin?: Buffer | string | Readable;
  /** a root filesystem directory; undefined = the host's system directories, read-only */
  readonly rootfs?: string;
  readonly limits?: Partial<Limits>;
  /** none (default): no IP sockets at all; loopback: IP on the box's own private `lo` */
  readonly network?: NetworkMode;
  /**
   * read the work dir's regular files back into the result after a run that ended OK (a
   * compile step's artifacts), never following a symlink the program left, at most
   * maxBytes in all (a sparse file counts its size): see collect.ts
   */
  readonly collect?: Collect;
  /**
   * read-only host files in the work dir, bound as the box is set up, before its files are
   * placed (the two may not overlap)
   */
  readonly binds?: readonly BindSpec[];
}

export interface Collect {
  readonly maxBytes: number;
  /** at most this many files (default MAX_FILES) */
  readonly maxFiles?: number;
  /**
   * only the files whose path matches one of these globs (`*.png`, `out/**`: picomatch,
   * dot files included), relative to /box
   */
  readonly patterns?: readonly string[];
  /** after any end of the program, not only OK (a run's outputs; an artifact needs OK) */
  readonly always?: boolean;
}

/** at most this many globs, each at most MAX_PATH long */
export const MAX_PATTERNS = 32;

export interface ValidSpec {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly files: readonly FileSpec[];
  readonly stdin: Buffer | Readable | undefined;
  readonly rootfs: string | undefined;
  readonly limits: Limits;
  readonly network: NetworkMode;
  readonly collect: Collect | undefined;
  readonly binds: readonly BindSpec[];
}

export class SpecError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'SpecError';
    this.field = field;
  }
}

/** files into a box, and read back from one */
export const MAX_FILES = 1000;
export const MAX_PATH = 255;
/** host files bound into one box */
export const MAX_BINDS = 16;
/** a tmpfs stores a file in whole pages */
const PAGE = 4096;

export function validateSpec(spec: RunSpec, policy?: LimitPolicy): ValidSpec {
  const argv = checkArgv(spec.argv, 'argv');
  const env = checkEnv(spec.env, 'env');
  const files = spec.files ?? [];
  const limits = checkLimits(spec.limits, policy);
  checkFiles(files, limits);
  const stdin = typeof spec.stdin === 'string' ? Buffer.from(spec.stdin) : spec.stdin;
  const collect = spec.collect;
  if (collect !== undefined) checkCollect(collect);
  const binds = checkBinds(spec.binds ?? [], files);
  return {
    argv,
    env,
    files,
    stdin,
    rootfs: checkRootfs(spec.rootfs),
    limits,
    network: checkNetwork(spec.network),
    collect,
    binds,
  };
}

/** binds: absolute sources, destinations that are plain relative paths, apart from each other and the files */
export function checkBinds(binds: readonly BindSpec[], files: readonly FileSpec[]): readonly BindSpec[] {
  const list: unknown = binds;
  if (!Array.isArray(list) || binds.length > MAX_BINDS) throw new SpecError('binds', `at most ${MAX_BINDS} binds`);
  const taken = new Set(files.map((f) => f.path));
  binds.forEach((b, i) => {
    if (typeof b.src !== 'string' || !b.src.startsWith('/') || b.src.includes('\0'))
      throw new SpecError(`binds[${i}].src`, 'must be an absolute host path');
    checkRelativePath(b.path, `binds[${i}].path`);
    if (taken.has(b.path)) throw new SpecError(`binds[${i}].path`, `${b.path} is taken by a file or another bind`);
    taken.add(b.path);
  });
  return binds;
}

function checkCollect(collect: Collect): void {
  if (typeof collect !== 'object' || !Number.isInteger(collect.maxBytes) || collect.maxBytes < 0) {
    throw new SpecError('collect.maxBytes', 'must be a whole number of bytes');
  }
  if (collect.maxFiles !== undefined && (!Number.isInteger(collect.maxFiles) || collect.maxFiles < 0)) {
    throw new SpecError('collect.maxFiles', 'must be a whole number');
  }
  const patterns: unknown = collect.patterns;
  if (patterns === undefined) return;
  if (!Array.isArray(patterns) || patterns.length > MAX_PATTERNS) {
    throw new SpecError('collect.patterns', `at most ${MAX_PATTERNS} globs`);
  }
  patterns.forEach((p: unknown, i) => {
    const field = `collect.patterns[${i}]`;
    if (typeof p !== 'string' || p.length === 0 || p.length > MAX_PATH || p.includes('\0')) {
      throw new SpecError(field, `must be a glob of 1 to ${MAX_PATH} characters`);
    }
    if (p.startsWith('/') || p.split('/').includes('..'))
      throw new SpecError(field, 'must be relative to /box, without ..');
  });
}

export function checkArgv(argv: unknown, field: string): readonly string[] {
  if (!Array.isArray(argv) || argv.length === 0) throw new SpecError(field, 'must be a non-empty array');
  argv.forEach((a, i) => {
    if (typeof a !== 'string') throw new SpecError(`${field}[${i}]`, 'must be a string');
    if (a.includes('\0')) throw new SpecError(`${field}[${i}]`, 'must not contain NUL');
  });
  if (argv[0] === '') throw new SpecError(`${field}[0]`, 'must not be empty');
  return argv as string[];
}

export function checkEnv(env: Readonly<Record<string, string>> | undefined, field: string): Record<string, string> {
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      throw new SpecError(`${field}.${k}`, 'name must match [A-Za-z_][A-Za-z0-9_]*');
    if (typeof v !== 'string' || v.includes('\0')) throw new SpecError(`${field}.${k}`, 'must be a string without NUL');
  }
  return { ...env };
}

export function checkLimits(given: Partial<Limits> | undefined, policy?: LimitPolicy): Limits {
  try {
    return resolveLimits(given ?? {}, policy);
  } catch (err) {
    const e = err as Error & { field?: string };
    throw new SpecError(`limits.${e.field ?? ''}`, e.message.replace(/^limits\.[^:]*: /, ''));
  }
}

export function checkNetwork(network: unknown): NetworkMode {
  const mode = network ?? 'none';
  if (mode !== 'none' && mode !== 'loopback') throw new SpecError('network', 'must be "none" or "loopback"');
  return mode;
}

export function checkRootfs(rootfs: unknown): string | undefined {
  if (rootfs !== undefined && (typeof rootfs !== 'string' || !rootfs.startsWith('/'))) {
    throw new SpecError('rootfs', 'must be an absolute path');
  }
  return rootfs;
}

/** the files a box starts with: relative paths, once each, and room for them in the work dir */
export function checkFiles(files: readonly FileSpec[], limits: Limits): void {
  if (files.length > MAX_FILES) throw new SpecError('files', `at most ${MAX_FILES} files`);
  const seen = new Set<string>();
  files.forEach((f, i) => {
    checkRelativePath(f.path, `files[${i}].path`);
    if (seen.has(f.path)) throw new SpecError(`files[${i}].path`, `duplicate path ${f.path}`);
    seen.add(f.path);
    if (f.mode !== undefined && (!Number.isInteger(f.mode) || f.mode < 0 || f.mode > 0o777)) {
      throw new SpecError(`files[${i}].mode`, 'must be permission bits between 0 and 0o777');
    }
  });
  // `a` and `a/b`: the init could not make a both a file and a directory
  files.forEach((f, i) => {
    const parts = f.path.split('/');
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join('/');
      if (seen.has(dir)) throw new SpecError(`files[${i}].path`, `${f.path} is inside ${dir}, which is a file`);
    }
  });
  // the box init writes the files into the work dir: they must fit, page by page
  const filesBytes = files.reduce((n, f) => n + Math.ceil(Buffer.byteLength(f.content) / PAGE) * PAGE, 0);
  if (filesBytes > limits.workDirBytes) {
    throw new SpecError(
      'files',
      `${filesBytes} bytes of files do not fit in the work dir (limits.workDirBytes ${limits.workDirBytes})`,
    );
  }
}

/** plain names joined by `/`: no absolute paths, no `..`, nothing that escapes /box */
export function checkRelativePath(p: unknown, field: string): void {
  if (typeof p !== 'string' || p.length === 0) throw new SpecError(field, 'must be a non-empty string');
  if (p.length > MAX_PATH) throw new SpecError(field, `longer than ${MAX_PATH} characters`);
  if (p.startsWith('/')) throw new SpecError(field, 'must be relative to the work dir');
  if (p.includes('\0')) throw new SpecError(field, 'must not contain NUL');
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.' || seg === '..')
      throw new SpecError(field, `has an empty, "." or ".." segment: ${p}`);
  }
}
