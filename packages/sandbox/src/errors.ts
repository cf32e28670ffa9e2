/**
 * Failures of the sandbox itself: each has a stable code and wraps its cause. A program
 * that misbehaves is never one of these: it gets a verdict (see verdict.ts).
 */
export const SANDBOX_ERRORS = {
  NOT_ROOT: 'the engine must run as root: it creates cgroups and mounts and starts boxes as other uids',
  TOOL_MISSING: 'a program the engine needs is not installed',
  SECCOMP_FAILED: 'could not compile the seccomp filter',
  CGROUP_FAILED: 'a cgroup operation failed',
  WORKDIR_FAILED: 'could not prepare the work dir',
  LAUNCH_FAILED: 'the box did not start',
  UIDS_TAKEN: "the box uids are another engine's on this host",
  CLOSED: 'the sandbox is closed',
} as const;

export type SandboxErrorCode = keyof typeof SANDBOX_ERRORS;

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  constructor(code: SandboxErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(`${SANDBOX_ERRORS[code]}${detail ? `: ${detail}` : ''}`, options);
    this.name = 'SandboxError';
    this.code = code;
  }
}

/** Runs one named setup step; a failure becomes a SandboxError saying which step and why. */
export async function step<T>(code: SandboxErrorCode, what: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SandboxError) throw err;
    throw new SandboxError(code, `${what}: ${(err as Error).message}`, { cause: err });
  }
}
