/**
 * Judge0 CE 1.13's wire format, as Judge0 implements it (submissions_controller.rb,
 * submission.rb, submission_serializer.rb, isolate_job.rb, config.rb, status.rb,
 * db/languages/active.rb): field names, units (seconds as strings, memory in KB),
 * defaults and maxima, validation messages, statuses 1–14 and how a run maps to them,
 * the expected_output rule, fields and base64. Pure translation, no I/O: the routes and
 * the callbacks do that.
 */
export {
  ATTRIBUTES,
  ConversionError,
  DEFAULT_FIELDS,
  encode64,
  parseFields,
  renderSubmission,
  serialize,
} from './fields.js';
export {
  activeLanguages,
  allLanguages,
  JUDGE0_LANGUAGES,
  judge0Name,
  languageDetail,
  languageName,
  languageRuntimes,
  takesCompilerOptions,
} from './languages.js';
export { filesProblem, ownLanguage } from './own-languages.js';
export { humanBytes, JUDGE0_VERSION, queueWorkers, statistics, systemInfo } from './info.js';
export type { Counted, HostFacts, QueueWorkers } from './info.js';
export { configInfo, JUDGE0_LIMITS, MAX_BATCH, MAX_EXTRACT_KB } from './limits.js';
export type { LimitName } from './limits.js';
export { strip, submissionRecord } from './record.js';
export { nativeRequest } from './request.js';
export { JUDGE0_STATUSES, STATUS } from './statuses.js';
export { checkSubmission } from './submission.js';
export type { Errors, Submission } from './submission.js';
