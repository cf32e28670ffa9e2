/**
 * JSON Schemas (draft 2020-12, the dialect of OpenAPI 3.1) of everything on the wire: one
 * source for request validation (ajv) and for the OpenAPI document. Server maxima are
 * not here: they are configuration, checked in request.ts with the maximum in the error.
 */
import { SCORINGS } from './groups.js';
import {
  CHECKER_PROTOCOLS,
  INTERACTOR_PROTOCOLS,
  JOB_ERRORS,
  JOB_STATUSES,
  POINT_SCALES,
  SANDBOX_FAILURES,
} from './job.js';
import { JUDGE_VERDICTS, RESULT_STATUSES, TEST_VERDICTS } from './verdicts.js';

const limits = {
  type: 'object',
  additionalProperties: false,
  description: 'Each at most the server maximum (GET /v1/runtimes tells them); omitted: the server default.',
  properties: {
    cpuMs: { type: 'integer', minimum: 1, description: 'cpu time, user+system, all processes' },
    wallMs: { type: 'integer', minimum: 1, description: 'wall clock from the start of the program' },
    memoryBytes: { type: 'integer', minimum: 4194304, description: 'memory, no swap' },
    pids: { type: 'integer', minimum: 2, description: 'processes and threads at once' },
    outputBytes: {
      type: 'integer',
      minimum: 0,
      description: 'bytes kept per stream; more ends the run (OUTPUT_LIMIT)',
    },
    stackBytes: { type: 'integer', minimum: 65536, description: 'stack per process' },
    fileSizeBytes: { type: 'integer', minimum: 0, description: 'largest file a process may write' },
  },
} as const;

export const FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['content'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'a relative path; the first file is the entry and is placed as the runtime says (Main.java)',
    },
    content: { type: 'string' },
    encoding: { enum: ['utf8', 'base64'], default: 'utf8' },
  },
} as const;

/** a problem's id: letters, digits, - and _, as Kattis names a package, at most 64 */
export const PROBLEM_ID = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
/** a problem as a job names it: its id, and @version for one version */
export const PROBLEM_REF = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}(@[1-9][0-9]{0,8})?$';

/**
 * What a problem holds, however it comes (JSON, or a package translated): the schema's
 * bounds and checkProblem's, one home each. A package is not bounded by its bytes alone
 * (a path pattern without %d lets one file serve any number of tests).
 */
export const PROBLEM_MAX_TESTS = 10_000;
export const PROBLEM_MAX_GROUPS = 200;
/** a problem's name and a test's, in characters */
export const PROBLEM_MAX_NAME = 200;
/** a group's id and each it depends on, in characters */
export const PROBLEM_MAX_GROUP_ID = 64;

const TEST_POINTS = {
  type: 'number',
  minimum: 0,
  description: 'what the test is worth in its group (a group of such tests is worth their sum)',
} as const;

const GROUPS_SCHEMA = {
  type: 'array',
  minItems: 1,
  maxItems: PROBLEM_MAX_GROUPS,
  description:
    'subtasks: every test in exactly one; they run in this order. sum: each test earns its share; min: the points × the least any test earned (stops at the first that earns nothing); all: nothing unless every test is ACCEPTED (stops at the first that is not)',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'scoring', 'tests'],
    properties: {
      id: { type: 'string', minLength: 1, maxLength: PROBLEM_MAX_GROUP_ID },
      points: { type: 'number', minimum: 0, description: "omitted: the sum of its tests' points" },
      scoring: { enum: [...SCORINGS] },
      dependsOn: {
        type: 'array',
        maxItems: PROBLEM_MAX_GROUPS,
        items: { type: 'string', minLength: 1, maxLength: PROBLEM_MAX_GROUP_ID },
        description: 'groups before this one that must pass (every test ACCEPTED); else its tests are skipped',
      },
      tests: {
        type: 'array',
        minItems: 1,
        maxItems: PROBLEM_MAX_TESTS,
        items: {
          oneOf: [
            { type: 'string', minLength: 1 },
            { type: 'integer', minimum: 0 },
          ],
        },
        description: 'by name or by index',
      },
    },
  },
} as const;

const PROGRAM_FIELDS = {
  language: { type: 'string', minLength: 1, maxLength: 64 },
  files: { type: 'array', minItems: 1, maxItems: 20, items: FILE_SCHEMA },
  args: {
    type: 'array',
    maxItems: 64,
    items: { type: 'string', maxLength: 512 },
    description: "after the protocol's own arguments (a Kattis validator's flags)",
  },
  points: {
    enum: [...POINT_SCALES],
    description:
      "how its points (testlib's quitp, Kattis's score.txt) are read: part of the test (0..1, the default), a percentage, or points of the test's worth",
  },
} as const;

const CHECKER_SCHEMA = {
  description:
    'judge mode: how output is compared with expectedOutput (default trailing-whitespace), or a checker program: testlib (argv input.txt output.txt expected.txt; exit 0 ok, 1 wrong answer, 2 presentation error, 3 judge error, 7 points) or kattis (argv input.txt expected.txt feedback/, the output on stdin; exit 42 accepts, 43 rejects; judgemessage.txt, score.txt)',
  oneOf: [
    { enum: ['exact', 'trailing-whitespace', 'tokens', 'float'] },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: { type: { const: 'tokens' }, ignoreCase: { type: 'boolean', default: false } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { const: 'float' },
        absolute: { type: 'number', minimum: 0 },
        relative: { type: 'number', minimum: 0 },
        ignoreCase: { type: 'boolean', default: false },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'language', 'files'],
      properties: {
        type: { const: 'program' },
        ...PROGRAM_FIELDS,
        protocol: { enum: [...CHECKER_PROTOCOLS], default: 'testlib' },
      },
    },
  ],
} as const;

const INTERACTOR_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['language', 'files'],
  description:
    "judge mode, interactive problems: run beside the solution, its stdout the solution's stdin and the solution's stdout its stdin. codebox: argv input.txt expected.txt, exit 0 accepts, 1 or 2 rejects, stderr the message; testlib: argv input.txt out/output.txt expected.txt (a checker may then judge out/output.txt); kattis: argv input.txt expected.txt feedback/, 42/43",
  properties: { ...PROGRAM_FIELDS, protocol: { enum: [...INTERACTOR_PROTOCOLS], default: 'codebox' } },
} as const;

export const JOB_REQUEST_SCHEMA = {
  $id: 'JobRequest',
  type: 'object',
  additionalProperties: false,
  required: ['language', 'files'],
  properties: {
    language: { type: 'string', minLength: 1, maxLength: 64, description: 'a runtime id or alias (GET /v1/runtimes)' },
    version: { type: 'string', minLength: 1, maxLength: 64, description: 'exact (3.11.2), a prefix (3.11, 3) or *' },
    files: { type: 'array', minItems: 1, maxItems: 100, items: FILE_SCHEMA },
    keepNames: {
      type: 'boolean',
      default: false,
      description:
        "the entry keeps the name it was given (as Piston runs files: argv[0] and messages name it), not the runtime's (main.py); a Java public class is always in a file of its name",
    },
    stdin: { type: 'string', maxLength: 16777216 },
    stdinEncoding: {
      enum: ['utf8', 'base64'],
      default: 'utf8',
      description: 'of stdin: base64 carries any bytes (text is UTF-8)',
    },
    args: { type: 'array', maxItems: 256, items: { type: 'string', maxLength: 4096 } },
    compileArgs: {
      type: 'array',
      maxItems: 64,
      items: { type: 'string', maxLength: 512 },
      description: 'appended to the compile command, one argument each, never through a shell',
    },
    stderrToStdout: {
      type: 'boolean',
      default: false,
      description: "the program's stderr goes to its stdout, in the order written",
    },
    limits,
    compileLimits: {
      ...limits,
      description: 'for the compile step, where the language compiles',
      properties: {
        ...limits.properties,
        artifactBytes: {
          type: 'integer',
          minimum: 0,
          description:
            'the most the compile step may hand to the run step: its files, in bytes (a sparse file counts its size); over it, COMPILE_ERROR',
        },
      },
    },
    network: {
      type: 'boolean',
      default: false,
      description: "true: IP on the box's own private loopback; never any other network",
    },
    outputs: {
      type: 'array',
      maxItems: 32,
      items: { type: 'string', minLength: 1, maxLength: 255 },
      description:
        "globs of files to bring back out of the run's work dir however it ended (`*.png`, `out/**`; dot files match), as result.files: regular files only, never through a link, within the server's caps (GET /v1/runtimes `outputs`); not in judge mode",
    },
    tests: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      description:
        "judge mode: compile once, then each test in a fresh box with the job's limits; stdin goes in the tests, not at the top",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['expectedOutput'],
        properties: {
          name: { type: 'string', maxLength: PROBLEM_MAX_NAME },
          stdin: { type: 'string', maxLength: 16777216 },
          expectedOutput: { type: 'string', maxLength: 16777216 },
          points: TEST_POINTS,
        },
      },
    },
    problem: {
      type: 'string',
      pattern: PROBLEM_REF,
      description:
        'judge mode against a stored problem (POST /v1/problems): "id@version", or "id" for its latest version; its tests, groups, checker, interactor and limits apply (limits given here win)',
    },
    groups: GROUPS_SCHEMA,
    checker: CHECKER_SCHEMA,
    interactor: INTERACTOR_SCHEMA,
    stopOnFirstFailure: {
      type: 'boolean',
      default: false,
      description: 'judge mode: leave the tests after the first that is not ACCEPTED unrun',
    },
  },
} as const;

const output = {
  type: 'string',
  description: 'text when the encoding is utf8 (valid UTF-8 whose JSON escapes cost no more than base64), else base64',
};
const encoding = { enum: ['utf8', 'base64'] };

const COMPILE_SCHEMA = {
  type: 'object',
  required: [
    'status',
    'exitCode',
    'signal',
    'cpuMs',
    'wallMs',
    'memoryBytes',
    'stdout',
    'stderr',
    'stdoutEncoding',
    'stderrEncoding',
  ],
  properties: {
    status: { enum: [...RESULT_STATUSES] },
    exitCode: { type: ['integer', 'null'] },
    signal: { type: ['string', 'null'] },
    cpuMs: { type: 'number' },
    wallMs: { type: 'number' },
    memoryBytes: { type: 'integer' },
    stdout: output,
    stderr: output,
    stdoutEncoding: encoding,
    stderrEncoding: encoding,
  },
} as const;

export const RESULT_SCHEMA = {
  $id: 'Result',
  type: 'object',
  description: 'exactly what `codebox run --json` prints',
  required: [...COMPILE_SCHEMA.required, 'stdoutTruncated', 'stderrTruncated'],
  properties: {
    ...COMPILE_SCHEMA.properties,
    stdoutTruncated: { type: 'boolean' },
    stderrTruncated: { type: 'boolean' },
    message: { type: 'string' },
    compile: {
      ...COMPILE_SCHEMA,
      description: 'when the language compiles; status COMPILE_ERROR above when it failed',
    },
    files: {
      type: 'array',
      description: "with `outputs`: the files they matched, read back out of the run's work dir",
      items: {
        type: 'object',
        required: ['path', 'size', 'mode', 'encoding', 'content'],
        properties: {
          path: { type: 'string', description: 'relative to the work dir' },
          size: { type: 'integer' },
          mode: { type: 'integer', description: 'permission bits' },
          encoding,
          content: output,
        },
      },
    },
    filesOmitted: {
      type: 'object',
      description: 'matching entries left out: links and other non-files, files past the count or byte cap',
      required: ['count', 'bytes'],
      properties: { count: { type: 'integer' }, bytes: { type: 'integer' } },
    },
  },
} as const;

export const TEST_SCHEMA = {
  $id: 'TestResult',
  type: 'object',
  required: ['index', 'verdict', ...COMPILE_SCHEMA.required, 'stdoutTruncated', 'stderrTruncated'],
  properties: {
    index: { type: 'integer' },
    name: { type: 'string' },
    verdict: { enum: [...TEST_VERDICTS] },
    ...COMPILE_SCHEMA.properties,
    stdoutTruncated: {
      type: 'boolean',
      description: "cut at the job's outputBytes, or to what is stored of each test (the checker saw all of it)",
    },
    stderrTruncated: {
      type: 'boolean',
      description: "cut at the job's outputBytes, or to what is stored of each test",
    },
    checker: { type: 'string', description: "where output and expected differ, or the checker program's output" },
    group: { type: 'string', description: "with groups: the test's group" },
    score: {
      type: 'number',
      description: "the part of the test's worth it earned, 0..1: with groups, or when a checker gave points",
    },
    points: { type: 'number', description: 'with groups: the points it earned' },
  },
} as const;

export const GROUP_SCHEMA = {
  $id: 'GroupResult',
  type: 'object',
  required: ['id', 'scoring', 'points', 'score', 'passed', 'total', 'judged', 'skipped'],
  properties: {
    id: { type: 'string' },
    scoring: { enum: [...SCORINGS] },
    points: { type: 'number', description: 'the most it could score' },
    score: { type: 'number' },
    passed: { type: 'boolean', description: 'every test ACCEPTED: what a group depending on it needs' },
    total: { type: 'integer' },
    judged: { type: 'integer' },
    skipped: { type: 'integer', description: 'moot once the group could no longer score, or blocked' },
    verdict: { enum: [...TEST_VERDICTS], description: 'the first of its verdicts that is not ACCEPTED' },
    blockedBy: { type: 'string', description: 'the group it depends on that did not pass' },
  },
} as const;

export const JUDGE_SCHEMA = {
  $id: 'Judge',
  type: 'object',
  required: ['verdict', 'passed', 'total', 'skipped', 'tests'],
  properties: {
    verdict: {
      enum: [...JUDGE_VERDICTS],
      description: 'COMPILE_ERROR, else the first test verdict that is not ACCEPTED, else ACCEPTED',
    },
    passed: { type: 'integer' },
    total: { type: 'integer' },
    skipped: { type: 'integer', description: 'not run (stopOnFirstFailure, or the compile failed)' },
    compile: COMPILE_SCHEMA,
    tests: { type: 'array', items: { $ref: '#/components/schemas/TestResult' } },
    score: { type: 'number', description: 'with groups: the total' },
    maxScore: { type: 'number', description: 'with groups: the most it could be' },
    groups: { type: 'array', items: { $ref: '#/components/schemas/GroupResult' } },
    problem: {
      type: 'object',
      required: ['id', 'version'],
      properties: { id: { type: 'string' }, version: { type: 'integer' } },
      description: "a stored problem's job: the version it was judged against",
    },
  },
} as const;

export const JOB_SCHEMA = {
  $id: 'Job',
  type: 'object',
  required: ['id', 'status', 'language', 'version', 'createdAt'],
  properties: {
    id: { type: 'string' },
    status: { enum: [...JOB_STATUSES] },
    language: { type: 'string' },
    version: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    result: { $ref: '#/components/schemas/Result' },
    judge: { $ref: '#/components/schemas/Judge' },
    error: {
      type: 'object',
      description: "why the service could not finish the job (failed), not the program's verdict",
      required: ['code', 'message'],
      properties: {
        code: { enum: Object.keys(JOB_ERRORS) },
        message: { type: 'string' },
        sandbox: { enum: [...SANDBOX_FAILURES], description: 'for INTERNAL: the sandbox step that failed' },
      },
    },
  },
} as const;

export const ERROR_SCHEMA = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'object',
          description: 'e.g. {field: "limits.cpuMs", maximum: 60000}, {field: "language", known: [...]}',
        },
      },
    },
  },
} as const;

export const RUNTIME_SCHEMA = {
  $id: 'Runtime',
  type: 'object',
  required: ['id', 'name', 'version', 'aliases', 'extensions', 'sourceFile', 'compiled'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    aliases: { type: 'array', items: { type: 'string' } },
    extensions: { type: 'array', items: { type: 'string' } },
    sourceFile: { type: 'string' },
    compiled: { type: 'boolean' },
    compileCommand: {
      type: 'array',
      items: { type: 'string' },
      description: "the compile step's command for an entry at sourceFile, under the default limits",
    },
    runCommand: { type: 'array', items: { type: 'string' }, description: "the run step's command, likewise" },
  },
} as const;

const PROBLEM_TEST = {
  type: 'object',
  additionalProperties: false,
  required: ['expectedOutput'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: PROBLEM_MAX_NAME },
    stdin: { type: 'string' },
    expectedOutput: { type: 'string', description: 'the answer: what a checker compares with, or reads' },
    encoding: { enum: ['utf8', 'base64'], default: 'utf8', description: 'of stdin and expectedOutput' },
    points: TEST_POINTS,
  },
} as const;

export const PROBLEM_REQUEST_SCHEMA = {
  $id: 'ProblemRequest',
  type: 'object',
  additionalProperties: false,
  required: ['tests'],
  properties: {
    id: {
      type: 'string',
      pattern: PROBLEM_ID,
      description: 'one of your problems: this makes its next version; omitted or new: a new problem',
    },
    name: { type: 'string', maxLength: PROBLEM_MAX_NAME },
    tests: {
      type: 'array',
      minItems: 1,
      maxItems: PROBLEM_MAX_TESTS,
      items: PROBLEM_TEST,
      description: "stored once, content-addressed: a test's data already stored is not stored again",
    },
    groups: GROUPS_SCHEMA,
    checker: CHECKER_SCHEMA,
    interactor: INTERACTOR_SCHEMA,
    limits: { ...limits, description: "each job's limits unless the job gives its own" },
    stopOnFirstFailure: { type: 'boolean', default: false },
  },
} as const;

const PROGRAM_VIEW = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    language: { type: 'string' },
    protocol: { type: 'string' },
    files: { type: 'array', items: { type: 'string' }, description: 'the file names' },
    args: { type: 'array', items: { type: 'string' } },
    points: { type: 'string' },
  },
} as const;

export const PROBLEM_SCHEMA = {
  $id: 'Problem',
  type: 'object',
  required: ['id', 'version', 'versions', 'createdAt', 'format', 'bytes', 'tests'],
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    versions: { type: 'array', items: { type: 'integer' }, description: 'every stored version, oldest first' },
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    format: { enum: ['json', 'polygon', 'kattis'], description: 'what it was made from' },
    bytes: { type: 'integer', description: 'its test data and programs, each distinct file once' },
    limits: { type: 'object' },
    stopOnFirstFailure: { type: 'boolean' },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          stdinBytes: { type: 'integer' },
          expectedOutputBytes: { type: 'integer' },
          points: { type: 'number' },
        },
      },
    },
    groups: { type: 'array', items: { type: 'object' } },
    checker: { oneOf: [{ type: 'string' }, PROGRAM_VIEW] },
    interactor: PROGRAM_VIEW,
  },
} as const;
