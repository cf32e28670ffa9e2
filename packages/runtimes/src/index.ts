export { LANGUAGES } from './languages.js';
export type { Command, DetectedRuntime, Runtime, StepContext } from './runtime.js';
export { detectRuntimes } from './detect.js';
export type { Detection, Root } from './detect.js';
export { Registry } from './registry.js';
export { BASE_ENV } from './env.js';
export { COMPILE_DEFAULTS, COMPILE_POLICY, stepLimits } from './limits.js';
export {
  compileProgram,
  DEFAULT_ARTIFACT_BYTES,
  DEFAULT_OUTPUTS,
  DEFAULT_PROGRAM_POLICY,
  operand,
  prepare,
  runCompiled,
  runProgram,
} from './program.js';
export type {
  Compiled,
  Prepared,
  ProgramHooks,
  ProgramPolicy,
  ProgramRequest,
  ProgramResult,
  ProgramStatus,
  SourceFile,
  Step,
} from './program.js';
export { chooseRoot, imageBuilt, imageDir, RootfsError } from './rootfs.js';
export { CodeContext, ContextEndedError } from './contexts.js';
export type { CellEvent, CellResult, ContextLanguage } from './contexts.js';
