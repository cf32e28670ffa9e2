/**
 * A stored problem on the wire: what POST /v1/problems takes as JSON (an archive is
 * translated to the same), and what GET answers. Checked like a job request: its shape
 * against PROBLEM_REQUEST_SCHEMA, then its groups, programs and limits; every failure an
 * ApiError naming the field.
 */
import { Ajv } from 'ajv';
import { GroupError, resolveGroups } from './groups.js';
import type { GroupInput } from './groups.js';
import { REQUEST_LIMITS } from './job.js';
import type { CheckerInput, InteractorInput, RequestLimits, RuntimeInfo } from './job.js';
import { checkLimits, checkPrograms, fieldPath, invalid } from './request.js';
import type { LimitMaxima } from './request.js';
import {
  PROBLEM_MAX_GROUP_ID,
  PROBLEM_MAX_GROUPS,
  PROBLEM_MAX_NAME,
  PROBLEM_MAX_TESTS,
  PROBLEM_REQUEST_SCHEMA,
} from './schemas.js';

export interface ProblemTestInput {
  name?: string;
  stdin?: string;
  expectedOutput: string;
  /** of stdin and expectedOutput; default utf8 */
  encoding?: 'utf8' | 'base64';
  points?: number;
}

export interface ProblemRequest {
  /** one of the key's problems: its next version */
  id?: string;
  name?: string;
  tests: ProblemTestInput[];
  groups?: GroupInput[];
  checker?: CheckerInput;
  interactor?: InteractorInput;
  limits?: RequestLimits;
  stopOnFirstFailure?: boolean;
}

/** where a problem came from */
export const PROBLEM_FORMATS = ['json', 'polygon', 'kattis'] as const;
export type ProblemFormat = (typeof PROBLEM_FORMATS)[number];

/** a program of a problem as GET shows it: its files by name */
export interface ProgramView {
  type?: 'program';
  language: string;
  protocol?: string;
  files: string[];
  args?: string[];
  points?: string;
}

export interface ProblemView {
  id: string;
  version: number;
  /** every stored version, oldest first */
  versions: number[];
  name?: string;
  createdAt: string;
  format: ProblemFormat;
  /** its test data and programs, each distinct file once */
  bytes: number;
  limits?: RequestLimits;
  stopOnFirstFailure?: boolean;
  tests: { name?: string; stdinBytes: number; expectedOutputBytes: number; points?: number }[];
  groups?: GroupInput[];
  checker?: string | ProgramView | { type: 'float'; absolute?: number; relative?: number };
  interactor?: ProgramView;
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validateShape = ajv.compile<ProblemRequest>(PROBLEM_REQUEST_SCHEMA);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function checkProblemRequest(
  body: unknown,
  ctx: { readonly runtimes: readonly RuntimeInfo[]; readonly maxima: LimitMaxima },
): ProblemRequest {
  if (!validateShape(body)) {
    const e = validateShape.errors?.[0];
    const field = e ? fieldPath(e) : 'body';
    throw invalid(
      field,
      e?.keyword === 'additionalProperties' ? 'is not a known field' : (e?.message ?? 'is not valid'),
    );
  }
  checkProblem(body, ctx);
  return body;
}

/** what is checked of a problem however it came (JSON, or a package translated) */
export function checkProblem(
  problem: Omit<ProblemRequest, 'tests'> & { tests: readonly Omit<ProblemTestInput, 'stdin' | 'expectedOutput'>[] },
  ctx: { readonly runtimes: readonly RuntimeInfo[]; readonly maxima: LimitMaxima },
): void {
  // the schema's bounds again: a package translated never met the schema
  if (problem.name !== undefined && problem.name.length > PROBLEM_MAX_NAME)
    throw invalid('name', `is over ${PROBLEM_MAX_NAME} characters`);
  if (problem.tests.length > PROBLEM_MAX_TESTS) throw invalid('tests', `has over ${PROBLEM_MAX_TESTS} tests`);
  if (problem.groups && problem.groups.length > PROBLEM_MAX_GROUPS)
    throw invalid('groups', `has over ${PROBLEM_MAX_GROUPS} groups`);
  problem.groups?.forEach((g, i) => {
    for (const id of [g.id, ...(g.dependsOn ?? [])])
      if (id.length > PROBLEM_MAX_GROUP_ID)
        throw invalid(`groups[${i}].id`, `is over ${PROBLEM_MAX_GROUP_ID} characters`);
  });
  const names = new Set<string>();
  problem.tests.forEach((t, i) => {
    if (t.name !== undefined && t.name.length > PROBLEM_MAX_NAME)
      throw invalid(`tests[${i}].name`, `is over ${PROBLEM_MAX_NAME} characters`);
    if (t.name !== undefined) {
      if (names.has(t.name)) throw invalid(`tests[${i}].name`, `${JSON.stringify(t.name)} is there twice`);
      names.add(t.name);
    }
    const data = t as ProblemTestInput;
    if (t.encoding === 'base64')
      for (const field of ['stdin', 'expectedOutput'] as const)
        if (typeof data[field] === 'string' && !BASE64.test(data[field]))
          throw invalid(`tests[${i}].${field}`, 'is not valid base64');
  });
  if (problem.groups) {
    try {
      resolveGroups(problem.tests, problem.groups);
    } catch (err) {
      if (err instanceof GroupError) throw invalid(err.field, err.message.slice(err.field.length + 2));
      throw err;
    }
  }
  checkPrograms(problem, ctx.runtimes);
  checkLimits(problem.limits, ctx.maxima, 'limits', REQUEST_LIMITS);
}

/** "id" or "id@version" */
export function parseProblemRef(ref: string): { id: string; version?: number } {
  const at = ref.lastIndexOf('@');
  return at < 0 ? { id: ref } : { id: ref.slice(0, at), version: Number(ref.slice(at + 1)) };
}
