/**
 * The verdicts on the wire, each list declared once here; the JSON Schemas and the OpenAPI
 * document take them from here. The engine and the judge declare their own (they know
 * nothing of the wire); @codebox/model, which converts one to the other, asserts at
 * compile time that each engine list is the wire's (for a run's status: the engine's and
 * COMPILE_ERROR, which only a step that compiles gives).
 */

/** a run's status: the engine's verdicts, and COMPILE_ERROR when the compile step failed */
export const RESULT_STATUSES = [
  'OK',
  'RUNTIME_ERROR',
  'TIME_LIMIT',
  'WALL_TIME_LIMIT',
  'MEMORY_LIMIT',
  'OUTPUT_LIMIT',
  'COMPILE_ERROR',
  'INTERNAL_ERROR',
] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** one judged test; PARTIAL: a checker gave part of the test's points (testlib's quitp) */
export const TEST_VERDICTS = [
  'ACCEPTED',
  'PARTIAL',
  'WRONG_ANSWER',
  'TIME_LIMIT',
  'WALL_TIME_LIMIT',
  'MEMORY_LIMIT',
  'RUNTIME_ERROR',
  'OUTPUT_LIMIT',
  'INTERNAL_ERROR',
] as const;
export type TestVerdict = (typeof TEST_VERDICTS)[number];

/** a judge job as a whole: COMPILE_ERROR, else the first test verdict that is not ACCEPTED, else ACCEPTED */
export const JUDGE_VERDICTS = [...TEST_VERDICTS, 'COMPILE_ERROR'] as const;
export type JudgeVerdict = (typeof JUDGE_VERDICTS)[number];
