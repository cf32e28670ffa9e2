export { createSandbox } from './sandbox.js';
export type { Sandbox } from './sandbox.js';
export type { RunHooks } from './box-run.js';
export { FileError, MAX_LISTED, SessionEndedError } from './session.js';
export type { FileErrorCode } from './session.js';
export type {
  CommandHandle,
  CommandHooks,
  CommandResult,
  CommandSpec,
  FileEntry,
  FileType,
  Session,
  SessionEnd,
  SessionEndReason,
  SessionSpec,
  SessionUsage,
  Terminal,
  TerminalSpec,
} from './session-types.js';
export type { SandboxConfig } from './config.js';
export { SandboxError, SANDBOX_ERRORS } from './errors.js';
export type { SandboxErrorCode } from './errors.js';
export { DEFAULT_LIMITS, MAX_LIMITS, DEFAULT_POLICY, LIMIT_FIELDS, LimitError, resolveLimits } from './limits.js';
export type { Limits, LimitPolicy } from './limits.js';
export type { KillReason, RunResult } from './result.js';
export type { CollectedFile } from './collect.js';
export type { NetworkMode } from './seccomp-policy.js';
export { MAX_PATTERNS, SpecError, checkRelativePath, validateSpec } from './spec.js';
export type { BindSpec, Collect, FileSpec, RunSpec } from './spec.js';
export { STATUSES, isStatus } from './status.js';
export type { Status } from './status.js';
export { boxInitState, buildBoxInit, BOX_INIT_PACKAGES } from './native/box-init.js';
export type { BoxInitState } from './native/box-init.js';
