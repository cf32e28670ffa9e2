/**
 * The worker's configuration: the host variables (cgroups, uids, root), the Redis, and
 * its own, from the environment once at start; one line per bad value. Cross-field rule:
 * on Redis Cluster the key prefix carries a hash tag.
 */
import os from 'node:os';
import { ConfigError, defaultHostConfig, HOST_VARIABLES, loadVariables, redisProblems, REDIS_VARIABLES, wholeNumber } from '@codebox/config';
import type { HostConfig, RedisConfig, Variables } from '@codebox/config';
import { REDIS_CHECKS } from '@codebox/jobs';

export interface WorkerConfig extends HostConfig, RedisConfig {
  /** jobs run at once (default: the number of cores) */
  slots: number;
  /** on SIGTERM, how long running jobs may go on before they are ended */
  graceMs: number;
  /** live output per job on the event stream (the result has all of it) */
  streamMaxBytes: number;
  /** a standalone worker's /metrics port on 127.0.0.1; 0: none */
  metricsPort: number;
  /** the most output a job may keep per stream (results live in Redis) */
  maxOutputBytes: number;
}

const WORKER_VARIABLES: Variables<WorkerConfig> = {
  // Jobs run at once. Default: the number of cores.
  CODEBOX_SLOTS: { doc: 'jobs run at once (default: the number of cores)', apply: wholeNumber(1, 256, (n, c) => (c.slots = n)) },
  // On SIGTERM, running jobs get this long to finish before they are ended. Default 30000.
  CODEBOX_GRACE_MS: { doc: 'grace for running jobs on SIGTERM, ms (default 30000)', apply: wholeNumber(0, 3_600_000, (n, c) => (c.graceMs = n)) },
  // Live output per job on its event stream. Default 1048576.
  CODEBOX_STREAM_MAX_BYTES: { doc: 'live output per job on its event stream (default 1 MiB)', apply: wholeNumber(0, 64 << 20, (n, c) => (c.streamMaxBytes = n)) },
  // A standalone worker serves /metrics here (127.0.0.1). Default 9465; 0 turns it off.
  // The most output a job may ask to keep, per stream. Default 4194304 (4 MiB).
  CODEBOX_MAX_OUTPUT_BYTES: { doc: 'most output a job may keep per stream (default 4 MiB)', apply: wholeNumber(1024, 64 << 20, (n, c) => (c.maxOutputBytes = n)) },
  CODEBOX_WORKER_METRICS_PORT: { doc: 'standalone worker /metrics port on 127.0.0.1 (default 9465, 0: off)', apply: wholeNumber(0, 65535, (n, c) => (c.metricsPort = n)) },
};

export const VARIABLES = { ...HOST_VARIABLES, ...REDIS_VARIABLES, ...WORKER_VARIABLES } as Variables<WorkerConfig>;

export function loadWorkerConfig(env: Readonly<Record<string, string | undefined>>): WorkerConfig {
  const defaults: WorkerConfig = {
    ...defaultHostConfig(),
    redisUrl: undefined,
    redisPrefix: 'codebox',
    slots: os.availableParallelism(),
    graceMs: 30_000,
    resultTtlS: 3_600,
    streamMaxBytes: 1 << 20,
    metricsPort: 9465,
    maxOutputBytes: 4 << 20,
  };
  const config = loadVariables(env, VARIABLES, defaults);
  const problems = redisProblems(config, REDIS_CHECKS);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
