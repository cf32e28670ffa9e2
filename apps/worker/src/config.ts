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
  /** boxes set up ahead of their jobs, per root and network runs ask for; 0: none (default: slots) */
  preparedBoxes: number | undefined;
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
  /** a job's stored result in encoded bytes (default: plainResultBytes(maxOutputBytes, outputFilesBytes)) */
  resultMaxBytes: number;
  /** the most a job may let its compile step hand to its run step (compileLimits.artifactBytes) */
  maxArtifactBytes: number;
  /** where stored problems' blobs are kept on this host; undefined: <dataDir>/cache */
  cacheDir: string | undefined;
  /** what the blob cache keeps before the least recently used go */
  cacheBytes: number;
  /** what a job's outputs (files read back out of its run) may bring: files, and bytes in all */
  outputFiles: number;
  outputFilesBytes: number;
  /** sessions a worker holds at once; 0: none */
  sessions: number;
  /** a session's idle timeout, and the most a session may ask, s */
  sessionIdleTimeoutS: number;
  sessionMaxIdleTimeoutS: number;
  /** a session's lifetime, and the most a session may ask, s */
  sessionTtlS: number;
  sessionMaxTtlS: number;
  /** a foreground command's timeout, and the most a command may ask, ms */
  sessionCommandTimeoutMs: number;
  sessionMaxCommandTimeoutMs: number;
  /** the largest file one GET or PUT of a session's file moves */
  sessionFileBytes: number;
  /** background processes a session holds at once */
  sessionProcesses: number;
  /** terminals open at once per session */
  sessionTerminals: number;
  /** what is kept of a background process's output, its latest bytes */
  sessionBackgroundOutputBytes: number;
}

/**
 * the engine's uid range when CODEBOX_UID_COUNT is not set (sandbox/config.ts
 * DEFAULT_UID_COUNT, which its index does not export)
 */
const DEFAULT_UID_COUNT = 256;

/**
 * The most a plain run stores, encoded: its stdout and stderr and its compile's, each at
 * most maxOutputBytes and at most 3/2 of that as sent (protocol's maxEncodedBytes), its
 * output files at most outputFilesBytes the same way, and 64 KiB for the rest.
 */
export function plainResultBytes(maxOutputBytes: number, outputFilesBytes: number): number {
  return 4 * maxEncodedBytes(maxOutputBytes) + maxEncodedBytes(outputFilesBytes) + (64 << 10);
}

const WORKER_VARIABLES: Variables<WorkerConfig> = {
  // Jobs run at once.
  CODEBOX_SLOTS: {
    doc: 'jobs a worker runs at once',
    default: () => String(os.availableParallelism()),
    defaultDoc: 'the number of cores',
    apply: wholeNumber(1, 256, (n, c) => (c.slots = n)),
  },
  // Boxes set up ahead of their jobs (namespaces, mounts, seccomp, cgroup, work dir), each
  // waiting for the one command it will run, for each of the last two roots and networks
  // jobs asked for; each holds a box uid, a cgroup, a work-dir mount and two waiting
  // processes, and gives its uid up when a run needs one. 0: every box is set up for its
  // job, when the job comes.
  CODEBOX_PREPARED_BOXES: {
    doc: 'boxes set up ahead of their jobs, for each of the last two roots or networks asked for (0: none)',
    defaultDoc: '`CODEBOX_SLOTS`',
    apply: wholeNumber(0, 256, (n, c) => (c.preparedBoxes = n)),
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
  // A job's outputs: files read back out of its run by glob (a plot, a CSV), for the
  // result; never through a link, and within these two caps (GET /v1/runtimes tells them).
  CODEBOX_OUTPUT_FILES: {
    doc: "the most files a job's `outputs` bring back",
    default: '32',
    apply: wholeNumber(0, 1000, (n, c) => (c.outputFiles = n)),
  },
  CODEBOX_OUTPUT_FILES_BYTES: {
    doc: "the most bytes a job's `outputs` bring back in all (stored with its result)",
    default: String(8 << 20),
    apply: wholeNumber(0, 256 << 20, (n, c) => (c.outputFilesBytes = n)),
  },
  // A job's stored result, in encoded bytes (its JSON): a judge job's tests past it are kept
  // without output, flagged. At least, and by default, what a plain run at
  // CODEBOX_MAX_OUTPUT_BYTES with CODEBOX_OUTPUT_FILES_BYTES of files stores: 3/2 of each
  // of its four streams and of the files, + 64 KiB (37814272 for 4 MiB and 8 MiB).
  CODEBOX_RESULT_MAX_BYTES: {
    doc: "a job's stored result in bytes as sent; a judge job's tests past it keep no output. At least what a plain run at `CODEBOX_MAX_OUTPUT_BYTES` with `CODEBOX_OUTPUT_FILES_BYTES` of output files stores (its and its compile's two streams and the files at 3/2, + 64 KiB)",
    default: (c) => String(plainResultBytes(c.maxOutputBytes, c.outputFilesBytes)),
    defaultDoc: '`37814272`: that, for 4 MiB and 8 MiB',
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
  // Sessions (boxes that live across calls) this worker holds at once; each holds a box uid
  // for its life, so with the job slots and the spare they fit CODEBOX_UID_COUNT. 0: none.
  CODEBOX_SESSIONS: {
    doc: 'sessions a worker holds at once (0: none); with the slots they fit in `CODEBOX_UID_COUNT`',
    default: '16',
    apply: wholeNumber(0, 4096, (n, c) => (c.sessions = n)),
  },
  // A session ends after this long without a call (a call in progress, an open terminal
  // included, keeps it); a session may ask for up to the maximum.
  CODEBOX_SESSION_IDLE_TIMEOUT_S: {
    doc: "a session's idle timeout, s: it ends after this long without a call",
    default: '300',
    apply: wholeNumber(1, 30 * 86_400, (n, c) => (c.sessionIdleTimeoutS = n)),
  },
  CODEBOX_SESSION_MAX_IDLE_TIMEOUT_S: {
    doc: 'the longest idle timeout a session may ask, s',
    default: '3600',
    apply: wholeNumber(1, 30 * 86_400, (n, c) => (c.sessionMaxIdleTimeoutS = n)),
  },
  // A session ends this long after its creation, whatever happens.
  CODEBOX_SESSION_TTL_S: {
    doc: "a session's lifetime, s",
    default: '3600',
    apply: wholeNumber(1, 30 * 86_400, (n, c) => (c.sessionTtlS = n)),
  },
  CODEBOX_SESSION_MAX_TTL_S: {
    doc: 'the longest lifetime a session may ask, s',
    default: '28800',
    apply: wholeNumber(1, 30 * 86_400, (n, c) => (c.sessionMaxTtlS = n)),
  },
  // A foreground command's process group is killed after this long, unless it asks for
  // another timeoutMs up to the maximum. A background command has none but its session's end.
  CODEBOX_SESSION_COMMAND_TIMEOUT_MS: {
    doc: "a session's foreground command is killed after this long unless it asks otherwise, ms",
    default: '60000',
    apply: wholeNumber(1, 30 * 86_400_000, (n, c) => (c.sessionCommandTimeoutMs = n)),
  },
  CODEBOX_SESSION_MAX_COMMAND_TIMEOUT_MS: {
    doc: 'the longest `timeoutMs` a session command may ask, ms',
    default: '3600000',
    apply: wholeNumber(1, 30 * 86_400_000, (n, c) => (c.sessionMaxCommandTimeoutMs = n)),
  },
  // The largest file one GET or PUT of /v1/sessions/:id/files moves (a whole tree goes as
  // a tar stream, bounded by the workspace's size).
  CODEBOX_SESSION_FILE_BYTES: {
    doc: 'the largest file one GET or PUT of a session file moves (the archive routes are bounded by the workspace)',
    default: String(64 << 20),
    apply: wholeNumber(1024, 1 << 30, (n, c) => (c.sessionFileBytes = n)),
  },
  CODEBOX_SESSION_PROCESSES: {
    doc: 'background processes a session holds at once (running, or exited and not yet killed)',
    default: '16',
    apply: wholeNumber(1, 1024, (n, c) => (c.sessionProcesses = n)),
  },
  CODEBOX_SESSION_TERMINALS: {
    doc: 'terminals open at once per session',
    default: '4',
    apply: wholeNumber(1, 64, (n, c) => (c.sessionTerminals = n)),
  },
  // What the worker keeps of each background process's output (the latest bytes, stdout
  // and stderr together), in its memory.
  CODEBOX_SESSION_BACKGROUND_OUTPUT_BYTES: {
    doc: "what is kept of a background process's output, its latest bytes (in the worker's memory)",
    default: String(1 << 20),
    apply: wholeNumber(0, 64 << 20, (n, c) => (c.sessionBackgroundOutputBytes = n)),
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
  const plain = plainResultBytes(config.maxOutputBytes, config.outputFilesBytes);
  if (config.resultMaxBytes < plain) {
    problems.push(
      `CODEBOX_RESULT_MAX_BYTES="${config.resultMaxBytes}": must be at least ${plain}, what a run at CODEBOX_MAX_OUTPUT_BYTES (${config.maxOutputBytes}) with CODEBOX_OUTPUT_FILES_BYTES (${config.outputFilesBytes}) may store`,
    );
  }
  for (const [value, maximum, name] of [
    [config.sessionIdleTimeoutS, config.sessionMaxIdleTimeoutS, 'CODEBOX_SESSION_IDLE_TIMEOUT_S'],
    [config.sessionTtlS, config.sessionMaxTtlS, 'CODEBOX_SESSION_TTL_S'],
    [config.sessionCommandTimeoutMs, config.sessionMaxCommandTimeoutMs, 'CODEBOX_SESSION_COMMAND_TIMEOUT_MS'],
  ] as const) {
    if (value > maximum) problems.push(`${name}="${value}": must be at most its maximum (${maximum})`);
  }
  // every box holds a uid: the job slots, a prestarted spare, and each session
  const uids = config.sandbox.uidCount ?? DEFAULT_UID_COUNT;
  if (config.sessions > 0 && config.slots + 1 + config.sessions > uids) {
    problems.push(
      `CODEBOX_SESSIONS="${config.sessions}": with ${config.slots} slots and a spare it needs ${config.slots + 1 + config.sessions} box uids, over CODEBOX_UID_COUNT (${uids})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
