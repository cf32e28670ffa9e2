export { base64Bytes, encodeOutput, encodeOutputWithin, maxEncodedBytes, ResultBudget } from './result.js';
export type { CompileJson, Encoding, GroupJson, JudgeJson, OutputFileJson, ResultJson, TestJson } from './result.js';
export { API_ERRORS, ApiError } from './errors.js';
export type { ApiErrorBody, ApiErrorCode } from './errors.js';
export {
  CHECKER_PROTOCOLS,
  COMPILE_REQUEST_LIMITS,
  INTERACTOR_PROTOCOLS,
  POINT_SCALES,
  FINAL_STATUSES,
  JOB_ERRORS,
  JOB_STATUSES,
  jobError,
  REQUEST_LIMITS,
  SANDBOX_FAILURES,
} from './job.js';
export type {
  CheckerInput,
  InteractorInput,
  ProgramCheckerInput,
  StageEvent,
  TestInput,
  FileInput,
  JobError,
  JobErrorCode,
  JobEvent,
  SandboxFailure,
  JobRequest,
  JobStatus,
  JobView,
  OutputChunk,
  CompileRequestLimits,
  RequestLimits,
  RuntimeInfo,
} from './job.js';
export { checkJobRequest, fieldPath, findRuntime, versionMatches } from './request.js';
export type { CheckedRequest, CompileLimitMaxima, LimitMaxima, RequestContext } from './request.js';
export {
  ERROR_SCHEMA,
  FILE_SCHEMA,
  JOB_REQUEST_SCHEMA,
  JOB_SCHEMA,
  PROBLEM_ID,
  PROBLEM_MAX_GROUP_ID,
  PROBLEM_MAX_GROUPS,
  PROBLEM_MAX_NAME,
  PROBLEM_MAX_TESTS,
  PROBLEM_REF,
  PROBLEM_REQUEST_SCHEMA,
  PROBLEM_SCHEMA,
  RESULT_SCHEMA,
  RUNTIME_SCHEMA,
} from './schemas.js';
export { checkProblem, checkProblemRequest, parseProblemRef, PROBLEM_FORMATS } from './problem.js';
export type { ProblemFormat, ProblemRequest, ProblemTestInput, ProblemView, ProgramView } from './problem.js';
export { openApiDocument } from './openapi.js';
export { JUDGE_VERDICTS, RESULT_STATUSES, TEST_VERDICTS } from './verdicts.js';
export type { JudgeVerdict, ResultStatus, TestVerdict } from './verdicts.js';
export { entryName, fileNameProblem } from './files.js';
export type { EntryRule } from './files.js';
export { GroupError, resolveGroups, roundPoints, SCORINGS } from './groups.js';
export type { GroupInput, ResolvedGroup, Scoring } from './groups.js';
export {
  PTY_BEARER_PREFIX,
  PTY_SUBPROTOCOL,
  SESSION_END_REASONS,
  SESSION_LIMITS,
  SESSION_STATUSES,
} from './session.js';
export type {
  CommandEvent,
  CommandExit,
  CommandRequest,
  CommandResultJson,
  FileEntryJson,
  ProcessOutput,
  ProcessView,
  PtyClientMessage,
  PtyServerMessage,
  SessionEndReason,
  SessionLimitName,
  SessionLimits,
  SessionPolicy,
  SessionRequest,
  SessionStatus,
  SessionUsageJson,
  SessionView,
} from './session.js';
export {
  checkCommandRequest,
  checkSessionRequest,
  checkWorkspacePath,
  MAX_NAME_BYTES,
  MAX_WORKSPACE_PATH_BYTES,
  workspacePathProblem,
} from './session-request.js';
export type { ResolvedSession } from './session-request.js';
export {
  COMMAND_REQUEST_SCHEMA,
  COMMAND_RESULT_SCHEMA,
  FILE_ENTRY_SCHEMA,
  PROCESS_SCHEMA,
  SESSION_REQUEST_SCHEMA,
  SESSION_SCHEMA,
} from './session-schemas.js';
export {
  CELL_EVENT_SCHEMA,
  CELL_RUN_SCHEMA,
  checkCellRequest,
  checkContextRequest,
  CONTEXT_LANGUAGES,
  CONTEXT_SCHEMA,
  MAX_CELL_CODE_BYTES,
  MAX_CELL_EVENT_BYTES,
  MAX_CONTEXTS,
} from './contexts.js';
export type { CellEventJson, CellRunJson, ContextLanguageName, ContextView } from './contexts.js';
