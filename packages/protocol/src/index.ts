export { base64Bytes, encodeOutput, encodeOutputWithin, maxEncodedBytes, ResultBudget } from './result.js';
export type { CompileJson, Encoding, GroupJson, JudgeJson, ResultJson, TestJson } from './result.js';
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
