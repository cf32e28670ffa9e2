/**
 * The compile step's limits, and the runtimes' floors. A compiler needs more than the
 * program it builds: more memory (rustc, javac, tsc use hundreds of MiB), more processes
 * (go build, gcc's cc1 and ld), more time, and room for the artifact.
 */
import { MAX_LIMITS, resolveLimits } from '@codebox/sandbox';
import type { LimitPolicy, Limits } from '@codebox/sandbox';

const MiB = 1024 * 1024;

export const COMPILE_DEFAULTS: Limits = {
  cpuMs: 10_000,
  wallMs: 20_000,
  memoryBytes: 1024 * MiB,
  pids: 128,
  outputBytes: 1 * MiB,
  fileSizeBytes: 128 * MiB,
  openFiles: 1024,
  stackBytes: 64 * MiB,
  workDirBytes: 256 * MiB,
  tmpBytes: 512 * MiB,
  cpus: 1,
};

export const COMPILE_POLICY: LimitPolicy = { defaults: COMPILE_DEFAULTS, maxima: MAX_LIMITS };

/**
 * Resolves requested limits against the policy (LimitError naming the field and maximum
 * when over it), then raises each to the runtime's floor, never past the maximum.
 */
export function stepLimits(
  requested: Partial<Limits> | undefined,
  policy: LimitPolicy,
  floors: Partial<Limits> = {},
): Limits {
  const limits: Record<string, number> = { ...resolveLimits(requested ?? {}, policy) };
  for (const [field, floor] of Object.entries(floors)) {
    const max = policy.maxima[field as keyof Limits];
    limits[field] = Math.min(max, Math.max(limits[field] ?? 0, floor));
  }
  return limits as unknown as Limits;
}
