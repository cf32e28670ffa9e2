export { check } from './checkers.js';
export type { BuiltinChecker, CheckOutcome } from './checkers.js';
export { judge, TEST_VERDICTS } from './judge.js';
export type {
  Checker,
  GroupResult,
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
export type { DataFile, TestData } from './data.js';
export { CHECKER_PROTOCOLS, INTERACTOR_PROTOCOLS } from './outcomes.js';
export type { CheckerProtocol, InteractorProtocol } from './outcomes.js';
export { compileKey, TESTLIB_H } from './programs.js';
export type { CompileCache } from './programs.js';
export { planGroups, POINT_SCALES, SCORINGS } from './scoring.js';
export type { JudgeGroup, PointScale, Scoring } from './scoring.js';
