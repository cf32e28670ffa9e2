export { check } from './checkers.js';
export type { BuiltinChecker, CheckOutcome } from './checkers.js';
export { judge, TEST_VERDICTS } from './judge.js';
export type {
  Checker,
  Interactor,
  JudgeHooks,
  JudgeRequest,
  JudgeResult,
  JudgeTest,
  JudgeVerdict,
  ProgramChecker,
  TestResult,
  TestVerdict,
} from './judge.js';
