/**
 * What a worker allows a session (published in its record, checked by the API): the
 * engine's limits with the service's own defaults for a box that lives long and is
 * worked in, output capped as a job's is, and the session settings of the worker's config.
 */
import type { SessionLimits, SessionPolicy } from '@codebox/protocol';
import { SESSION_LIMITS } from '@codebox/protocol';
import { MAX_LIMITS } from '@codebox/sandbox';
import type { Limits } from '@codebox/sandbox';
import type { WorkerConfig } from '../config.js';

const MiB = 1 << 20;

/**
 * A session's defaults: room to install and build (a compiler wants hundreds of MiB, a
 * project's files and its build a workspace of its own), the engine's per-process limits.
 */
const SESSION_DEFAULTS: SessionLimits = {
  memoryBytes: 1024 * MiB,
  pids: 256,
  cpus: 1,
  workDirBytes: 512 * MiB,
  tmpBytes: 256 * MiB,
  outputBytes: 1 * MiB,
  fileSizeBytes: 256 * MiB,
  openFiles: 1024,
  stackBytes: 64 * MiB,
};

export function sessionPolicy(config: WorkerConfig): SessionPolicy {
  const maxima = pick({ ...MAX_LIMITS, outputBytes: config.maxOutputBytes });
  const defaults = Object.fromEntries(
    SESSION_LIMITS.map((k) => [k, Math.min(SESSION_DEFAULTS[k], maxima[k])]),
  ) as unknown as SessionLimits;
  return {
    limits: { defaults, maxima },
    idleTimeoutS: { default: config.sessionIdleTimeoutS, maximum: config.sessionMaxIdleTimeoutS },
    ttlS: { default: config.sessionTtlS, maximum: config.sessionMaxTtlS },
    commandTimeoutMs: { default: config.sessionCommandTimeoutMs, maximum: config.sessionMaxCommandTimeoutMs },
    fileBytes: config.sessionFileBytes,
    processes: config.sessionProcesses,
    terminals: config.sessionTerminals,
    backgroundOutputBytes: config.sessionBackgroundOutputBytes,
  };
}

/** the session's limits as the engine takes them (the engine checks them against its own maxima again) */
export function engineLimits(limits: SessionLimits): Partial<Limits> {
  return pick(limits);
}

function pick(l: Readonly<Record<string, number>>): SessionLimits {
  return Object.fromEntries(SESSION_LIMITS.map((k) => [k, l[k] as number])) as unknown as SessionLimits;
}
