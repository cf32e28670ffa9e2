/**
 * Piston's refusals, in its words (api/src/api/v2.js, job.js): a bad execute body is 400
 * {message} (PistonError); a body that is not JSON, and a job that does not end in time,
 * are the routes' answers. The service tests pin these strings: clients match on them.
 */

/** Piston's answer to a bad request: 400 {message} */
export class PistonError extends Error {}

export const PISTON_MESSAGES = {
  notAnObject: 'the body must be a JSON object',
  required: (field: string, as: 'a string' | 'an array'): string => `${field} is required as ${as}`,
  unknownRuntime: (language: string, version: string): string => `${language}-${version} runtime is unknown`,
  noUtf8File: 'files must include at least one utf8 encoded file',
  notANumber: (field: string): string => `If specified, ${field} must be a number`,
  overLimit: (field: string, max: number): string => `${field} cannot exceed the configured limit of ${max}`,
  negative: (field: string): string => `${field} must be non-negative`,
  /** 400: labelled JSON, and not */
  badJson: 'the body is not valid JSON',
  /** 415: neither JSON nor labelled so */
  notJson: 'requests must be of type application/json',
  /** 500: the job did not end within the wait's bound */
  unfinished: (ms: number): string => `the job did not finish within ${ms} ms`,
} as const;
