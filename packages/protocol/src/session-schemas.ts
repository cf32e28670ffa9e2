/**
 * JSON Schemas of the sessions' wire, as schemas.ts is the jobs': one source for the
 * API's validation (session-request.ts) and the OpenAPI document. Maxima are the workers'
 * (SessionPolicy), checked in session-request.ts with the maximum in the error.
 */
import { FILE_SCHEMA } from './schemas.js';
import { SESSION_END_REASONS, SESSION_STATUSES } from './session.js';

const envSchema = {
  type: 'object',
  maxProperties: 256,
  propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 256 },
  additionalProperties: { type: 'string', maxLength: 65536 },
} as const;

const sessionLimits = {
  type: 'object',
  additionalProperties: false,
  description:
    'Each at most the server maximum (GET /v1/runtimes: sessions.limits); omitted: the server default. Over the whole box, except openFiles, fileSizeBytes and stackBytes (each process) and outputBytes (each command, per stream)',
  properties: {
    memoryBytes: { type: 'integer', minimum: 4194304, description: 'memory of everything in the box, no swap' },
    pids: { type: 'integer', minimum: 8, description: 'processes and threads at once, the init included' },
    cpus: { type: 'number', minimum: 0.01, description: 'cpu share in cores' },
    workDirBytes: { type: 'integer', minimum: 65536, description: 'the workspace, /box' },
    tmpBytes: { type: 'integer', minimum: 65536, description: '/tmp' },
    outputBytes: {
      type: 'integer',
      minimum: 0,
      description: "what is kept of each command's stdout, and of its stderr",
    },
    fileSizeBytes: { type: 'integer', minimum: 0, description: 'the largest file a process may write' },
    openFiles: { type: 'integer', minimum: 8, description: 'open descriptors per process' },
    stackBytes: { type: 'integer', minimum: 65536, description: 'stack per process' },
  },
} as const;

export const SESSION_REQUEST_SCHEMA = {
  $id: 'SessionRequest',
  type: 'object',
  additionalProperties: false,
  properties: {
    language: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: "a runtime id or alias: what `run` uses when a file's extension names no language",
    },
    limits: sessionLimits,
    idleTimeoutS: { type: 'integer', minimum: 1, description: 'ends after this long without a call' },
    ttlS: { type: 'integer', minimum: 1, description: 'ends this long after its creation' },
    network: {
      type: 'boolean',
      default: false,
      description: "true: IP on the box's own private loopback; never any other network",
    },
    files: { type: 'array', maxItems: 1000, items: FILE_SCHEMA, description: 'written into the workspace first' },
    env: { ...envSchema, description: 'the environment every command starts from' },
  },
} as const;

export const COMMAND_REQUEST_SCHEMA = {
  $id: 'CommandRequest',
  type: 'object',
  additionalProperties: false,
  description: 'exactly one of command, argv, run',
  properties: {
    command: { type: 'string', minLength: 1, maxLength: 131072, description: 'a shell command line (bash -c)' },
    argv: {
      type: 'array',
      minItems: 1,
      maxItems: 4096,
      items: { type: 'string', maxLength: 131072 },
      description: 'argv[0] looked up in PATH; no shell',
    },
    run: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      description: "a workspace file, compiled and run with its language's own steps",
    },
    args: {
      type: 'array',
      maxItems: 256,
      items: { type: 'string', maxLength: 4096 },
      description: 'run: program arguments',
    },
    sources: {
      type: 'array',
      maxItems: 256,
      items: { type: 'string', minLength: 1, maxLength: 1024 },
      description: 'run: more workspace files to compile with it',
    },
    compileArgs: {
      type: 'array',
      maxItems: 64,
      items: { type: 'string', maxLength: 512 },
      description: 'run: appended to the compile command',
    },
    stdin: { type: 'string', description: 'the whole of its stdin (then end of input)' },
    stdinEncoding: { enum: ['utf8', 'base64'], default: 'utf8' },
    cwd: { type: 'string', minLength: 1, maxLength: 1024, description: 'relative to the workspace' },
    env: { ...envSchema, description: "laid over the session's environment" },
    timeoutMs: {
      type: 'integer',
      minimum: 1,
      description: "its process group is killed after this long (timedOut); default the server's",
    },
    background: {
      type: 'boolean',
      default: false,
      description: 'answer at once with its handle; read its output and end later (GET .../processes/{pid})',
    },
  },
} as const;

const exitProperties = {
  exitCode: { type: ['integer', 'null'] },
  signal: { type: ['string', 'null'] },
  timedOut: { type: 'boolean' },
  oomKilled: { type: 'boolean', description: "the session's memory limit killed a process while it ran" },
  stdoutTruncated: { type: 'boolean' },
  stderrTruncated: { type: 'boolean' },
  wallMs: { type: 'number' },
  cpuMs: { type: 'number' },
  memoryBytes: { type: 'integer' },
} as const;
const exitRequired = Object.keys(exitProperties);

export const COMMAND_EXIT_SCHEMA = {
  $id: 'CommandExit',
  type: 'object',
  required: exitRequired,
  properties: {
    ...exitProperties,
    stage: { enum: ['compile', 'run'], description: 'run: the step this is (compile when it failed)' },
    compile: { type: 'object', required: exitRequired, properties: exitProperties },
  },
} as const;

const output = { type: 'string', description: 'text when utf8, else base64' };
export const COMMAND_RESULT_SCHEMA = {
  $id: 'CommandResult',
  type: 'object',
  required: [...exitRequired, 'stdout', 'stderr', 'stdoutEncoding', 'stderrEncoding'],
  properties: {
    ...COMMAND_EXIT_SCHEMA.properties,
    stdout: output,
    stderr: output,
    stdoutEncoding: { enum: ['utf8', 'base64'] },
    stderrEncoding: { enum: ['utf8', 'base64'] },
  },
} as const;

const numbers = (names: readonly string[]) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((n) => [n, { type: 'number' }])),
});

export const SESSION_SCHEMA = {
  $id: 'Session',
  type: 'object',
  required: ['id', 'status', 'network', 'limits', 'idleTimeoutS', 'ttlS', 'createdAt', 'expiresAt'],
  properties: {
    id: { type: 'string' },
    status: { enum: [...SESSION_STATUSES] },
    language: { type: 'string' },
    network: { type: 'boolean' },
    limits: numbers(Object.keys(sessionLimits.properties)),
    idleTimeoutS: { type: 'integer' },
    ttlS: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time', description: 'when its lifetime ends it' },
    idleExpiresAt: {
      type: 'string',
      format: 'date-time',
      description: 'when its idle timeout ends it, from the last call',
    },
    endedAt: { type: 'string', format: 'date-time' },
    endReason: { enum: [...SESSION_END_REASONS] },
    usage: {
      ...numbers(['cpuMs', 'memoryBytes', 'memoryPeakBytes', 'processes', 'workDirBytes', 'oomKills']),
      description: 'so far, or at its end',
    },
  },
} as const;

export const PROCESS_SCHEMA = {
  $id: 'Process',
  type: 'object',
  required: ['id', 'argv', 'status', 'startedAt'],
  properties: {
    id: { type: 'integer' },
    argv: { type: 'array', items: { type: 'string' } },
    status: { enum: ['running', 'exited'] },
    startedAt: { type: 'string', format: 'date-time' },
    endedAt: { type: 'string', format: 'date-time' },
    exit: { $ref: '#/components/schemas/CommandExit' },
  },
} as const;

export const FILE_ENTRY_SCHEMA = {
  $id: 'FileEntry',
  type: 'object',
  required: ['path', 'type', 'size', 'mode', 'mtime'],
  properties: {
    path: { type: 'string', description: 'relative to the directory listed' },
    type: { enum: ['file', 'dir', 'symlink', 'other'] },
    size: { type: 'integer' },
    mode: { type: 'integer', description: 'permission bits' },
    mtime: { type: 'string', format: 'date-time' },
  },
} as const;
