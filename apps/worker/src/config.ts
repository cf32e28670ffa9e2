/**
 * The worker's configuration: the host variables (cgroups, uids, root), the Redis, and
 * its own, from the environment once at start; one line per bad value. Cross-field rules:
 * on Redis Cluster the key prefix carries a hash tag; a job's result budget holds a plain
 * run at the most output (what is stored per job: see CODEBOX_RESULT_MAX_BYTES).
 */
import os from 'node:os';
import {
  absolutePath,
  ConfigError,
  defaultHostConfig,
  defaultRedisConfig,
  HOST_VARIABLES,
  loadVariables,
  byteSize,
  redisProblems,
  REDIS_VARIABLES,
  wholeNumber,
} from '@codebox/config';
import type { HostConfig, RedisConfig, Variables } from '@codebox/config';
import { REDIS_CHECKS } from '@codebox/jobs';
import { maxEncodedBytes } from '@codebox/protocol';

export interface WorkerConfig extends HostConfig, RedisConfig {
  /** jobs run at once (default: the number of cores) */
  slots: number;
  /** on SIGTERM, how long running jobs may go on before they are ended */
  graceMs: number;
  /** live output per job on the event stream, in bytes as sent (the result has all of it) */
  streamMaxBytes: number;
  /** a standalone worker's /metrics port on 127.0.0.1; 0: none */
  metricsPort: number;
  /** the most output a job may keep per stream (results live in Redis) */
  maxOutputBytes: number;
  /** judge mode: what is stored of each test's stdout and of its stderr (the checker sees all) */
  testOutputBytes: number;
  /** a job's stored result in encoded bytes (default: plainResultBytes(maxOutputBytes)) */
  resultMaxBytes: number;
  /** the most a job may let its compile step hand to its run step (compileLimits.artifactBytes) */
  maxArtifactBytes: number;
  /** where stored problems' blobs are kept on this host; undefined: <dataDir>/cache */
  cacheDir: string | undefined;
  /** what the blob cache keeps before the least recently used go */
  cacheBytes: number;
}

/**
 * The most a plain run stores, encoded: its stdout and stderr and its compile's, each at
 * most maxOutputBytes and at most 3/2 of that as sent (protocol's maxEncodedBytes), and
 * 64 KiB for the rest.
 */
export function plainResultBytes(maxOutputBytes: number): number {
  return 4 * maxEncodedBytes(maxOutputBytes) + (64 << 10);
}

const WORKER_VARIABLES: Variables<WorkerConfig> = {
  // Jobs run at once.
  CODEBOX_SLOTS: {
    doc: 'jobs a worker runs at once',
    default: () => String(os.availableParallelism()),
    defaultDoc: 'the number of cores',
    apply: wholeNumber(1, 256, (n, c) => (c.slots = n)),
  },
  // On SIGTERM, running jobs get this long to finish before they are ended.
  CODEBOX_GRACE_MS: {
    doc: 'on SIGTERM, how long running jobs may go on, ms',
    default: '30000',
    apply: wholeNumber(0, 3_600_000, (n, c) => (c.graceMs = n)),
  },
  // Live output per job on its event stream, in bytes as sent (escapes and base64 count).
  CODEBOX_STREAM_MAX_BYTES: {
    doc: 'live output per job on its event stream, in bytes as sent (escapes and base64 count)',
    default: String(1 << 20),
    apply: wholeNumber(0, 64 << 20, (n, c) => (c.streamMaxBytes = n)),
  },
  // The most output a job may ask to keep, per stream.
  CODEBOX_MAX_OUTPUT_BYTES: {
    doc: 'the most `outputBytes` a job may ask for, per stream',
    default: String(4 << 20),
    apply: wholeNumber(1024, 64 << 20, (n, c) => (c.maxOutputBytes = n)),
  },
  // Judge mode: the first this many bytes of each test's stdout and of its stderr are stored
  // (in the job's result and its test event), the rest cut and flagged; the checker sees all.
  CODEBOX_TEST_OUTPUT_BYTES: {
    doc: "judge mode: what is stored of each test's stdout and of its stderr (the checker sees all)",
    default: String(64 << 10),
    apply: wholeNumber(0, 64 << 20, (n, c) => (c.testOutputBytes = n)),
  },
  // A job's stored result, in encoded bytes (its JSON): a judge job's tests past it are kept
  // without output, flagged. At least, and by default, what a plain run at
  // CODEBOX_MAX_OUTPUT_BYTES stores: 4 × 3/2 of it + 64 KiB (25231360 for 4 MiB).
  CODEBOX_RESULT_MAX_BYTES: {
    doc: "a job's stored result in bytes as sent; a judge job's tests past it keep no output. At least what a plain run at `CODEBOX_MAX_OUTPUT_BYTES` stores (its and its compile's two streams at 3/2, + 64 KiB)",
    default: (c) => String(plainResultBytes(c.maxOutputBytes)),
    defaultDoc: '`25231360`: that, for 4 MiB',
    apply: wholeNumber(0, 1 << 30, (n, c) => (c.resultMaxBytes = n)),
  },
  // The most a job may let its compile step hand to its run step, its files in bytes
  // (compileLimits.artifactBytes; a job that says nothing gets 64 MiB, or this if lower).
  // They are written into the run's box and count against its memory.
  CODEBOX_MAX_ARTIFACT_BYTES: {
    doc: "the most `compileLimits.artifactBytes` a job may ask: what its compile step may hand to its run step (the files land in the run's box and count against its memory; a job gets 64 MiB unless it asks)",
    default: String(256 << 20),
    apply: wholeNumber(0, 1 << 30, (n, c) => (c.maxArtifactBytes = n)),
  },
  // Stored problems' test data, kept on this host by SHA-256 so a second job on a problem
  // fetches nothing from Redis; checkers get these files bound into their boxes, so the
  // directory is 0711 and its files 0644.
  CODEBOX_CACHE_DIR: {
    doc: "where a worker keeps stored problems' test data (by SHA-256; directories 0711, files 0644: checkers' boxes get them bound)",
    defaultDoc: '`<CODEBOX_DATA_DIR>/cache`',
    apply: absolutePath((v, c) => (c.cacheDir = v)),
  },
  // Past this the least recently used blobs are removed (never one a running job uses).
  CODEBOX_CACHE_BYTES: {
    doc: 'what that cache keeps before the least recently used go (never one a job uses, or used in the last 10 minutes)',
    default: '2g',
    apply: byteSize('1m', undefined, '2g', (n, c) => (c.cacheBytes = n)),
  },
  // A standalone worker serves /metrics here (127.0.0.1); 0 turns it off.
  CODEBOX_WORKER_METRICS_PORT: {
    doc: "a standalone worker's `/metrics` on 127.0.0.1 (0: off)",
    default: '9465',
    apply: wholeNumber(0, 65535, (n, c) => (c.metricsPort = n)),
  },
};

export const VARIABLES = { ...HOST_VARIABLES, ...REDIS_VARIABLES, ...WORKER_VARIABLES } as Variables<WorkerConfig>;

export function loadWorkerConfig(env: Readonly<Record<string, string | undefined>>): WorkerConfig {
  // every other field is set by its variable's default (loadVariables)
  const config = loadVariables(env, VARIABLES, {
    ...defaultHostConfig(),
    ...defaultRedisConfig(),
    cacheDir: undefined,
  } as WorkerConfig);
  const problems = redisProblems(config, REDIS_CHECKS);
  const plain = plainResultBytes(config.maxOutputBytes);
  if (config.resultMaxBytes < plain) {
    problems.push(
      `CODEBOX_RESULT_MAX_BYTES="${config.resultMaxBytes}": must be at least ${plain}, what a run at CODEBOX_MAX_OUTPUT_BYTES (${config.maxOutputBytes}) may store`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
