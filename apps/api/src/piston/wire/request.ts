/**
 * Piston's execute body, checked as Piston checks it (api/src/api/v2.js), into a native
 * request: its fields, units (ms, bytes), limit rules and messages, in Piston's order of
 * checking (the first fault is the one reported). Limits: absent or 0 is the server's
 * default, -1 the server's maximum; over the maximum is refused.
 */
import { ApiError, checkJobRequest } from '@codebox/protocol';
import type {
  CheckedRequest,
  CompileRequestLimits,
  FileInput,
  JobRequest,
  RequestContext,
  RequestLimits,
  RuntimeInfo,
} from '@codebox/protocol';
import { PISTON_MESSAGES, PistonError } from './errors.js';
import { findPistonRuntime } from './runtimes.js';

interface PistonFile {
  name?: unknown;
  content: string;
  encoding?: unknown;
}

/** a body with Piston's required fields checked; `fields` is all of it, for the optional ones */
interface ExecuteBody {
  language: string;
  version: string;
  files: PistonFile[];
  fields: Readonly<Record<string, unknown>>;
}

/** Piston's {stage}_{constraint} fields and the native limit each sets */
const CONSTRAINTS = [
  ['timeout', 'wallMs'],
  ['cpu_time', 'cpuMs'],
  ['memory_limit', 'memoryBytes'],
] as const;
const STAGES = ['compile', 'run'] as const;

/** how this server reads a Piston request beyond Piston's own rules */
export interface PistonOptions {
  /** a version that is not installed runs the installed one of the language (CODEBOX_PISTON_RESOLVE_VERSIONS) */
  readonly resolveVersions: boolean;
}

export function pistonRequest(body: unknown, ctx: RequestContext, options: PistonOptions): CheckedRequest {
  const b = executeBody(body);
  const runtime = findPistonRuntime(ctx.runtimes, b.language, b.version, options.resolveVersions);
  if (!runtime) throw new PistonError(PISTON_MESSAGES.unknownRuntime(b.language, b.version));
  if (!b.files.some((f) => !f.encoding || f.encoding === 'utf8')) throw new PistonError(PISTON_MESSAGES.noUtf8File);
  const limits = stageLimits(b.fields, ctx.maxima);
  const request: JobRequest = {
    language: runtime.id,
    files: entryPlaced(codeFirst(b.files.map(nativeFile), b.files), runtime),
    // Piston runs the files as the client named them: argv[0] and messages say so
    keepNames: true,
    stdin: pistonStdin(b.fields.stdin),
    args: Array.isArray(b.fields.args) ? (b.fields.args as unknown[]).map(String) : [],
    ...(Object.keys(limits.run).length > 0 ? { limits: limits.run } : {}),
    ...(Object.keys(limits.compile).length > 0 ? { compileLimits: limits.compile } : {}),
  };
  return checkedNative(request, ctx);
}

/** the body's shape: an object with language, version and files, each file with content */
function executeBody(body: unknown): ExecuteBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new PistonError(PISTON_MESSAGES.notAnObject);
  const fields = body as Record<string, unknown>;
  const { language, version, files } = fields;
  if (!language || typeof language !== 'string')
    throw new PistonError(PISTON_MESSAGES.required('language', 'a string'));
  if (!version || typeof version !== 'string') throw new PistonError(PISTON_MESSAGES.required('version', 'a string'));
  if (!files || !Array.isArray(files)) throw new PistonError(PISTON_MESSAGES.required('files', 'an array'));
  for (const [i, f] of files.entries()) {
    if (typeof (f as { content?: unknown })?.content !== 'string')
      throw new PistonError(PISTON_MESSAGES.required(`files[${i}].content`, 'a string'));
  }
  return { language, version, files: files as PistonFile[], fields };
}

/** the six limit fields, compile_timeout first, as each stage's native limits */
function stageLimits(
  b: ExecuteBody['fields'],
  maxima: RequestContext['maxima'],
): { run: RequestLimits; compile: CompileRequestLimits } {
  const limits: { run: RequestLimits; compile: CompileRequestLimits } = { run: {}, compile: {} };
  for (const [constraint, field] of CONSTRAINTS) {
    for (const stage of STAGES) {
      const name = `${stage}_${constraint}`;
      const value = limitValue(name, b[name], maxima[stage][field]);
      if (value !== undefined) limits[stage][field] = value;
    }
  }
  return limits;
}

/** one limit: absent or 0 is the default (undefined), -1 the maximum, else up to the maximum */
function limitValue(name: string, value: unknown, max: number): number | undefined {
  if (!value) return undefined;
  if (typeof value !== 'number') throw new PistonError(PISTON_MESSAGES.notANumber(name));
  if (value === -1) return max;
  if (value > max) throw new PistonError(PISTON_MESSAGES.overLimit(name, max));
  if (value < 0) throw new PistonError(PISTON_MESSAGES.negative(name));
  return Math.ceil(value);
}

/** a Piston file as a native one: file{i}.code when it has no name, hex as base64 */
function nativeFile(f: PistonFile, i: number): FileInput {
  return {
    name: typeof f.name === 'string' && f.name ? f.name : `file${i}.code`,
    ...(f.encoding === 'hex'
      ? { content: Buffer.from(f.content, 'hex').toString('base64'), encoding: 'base64' as const }
      : { content: f.content }),
    ...(f.encoding === 'base64' ? { encoding: 'base64' as const } : {}),
  };
}

/**
 * Piston runs the first of its code files (job.js: code_files[0], the files whose
 * encoding is utf8, an unknown encoding being utf8 to it); base64 and hex files are data.
 * That file goes first, where the native request has its entry; each file keeps the name
 * of its place in the request (file{i}.code).
 */
function codeFirst(files: FileInput[], given: readonly PistonFile[]): FileInput[] {
  const i = given.findIndex((f) => f.encoding !== 'base64' && f.encoding !== 'hex');
  const entry = files[i];
  return i <= 0 || !entry ? files : [entry, ...files.filter((_, j) => j !== i)];
}

/**
 * The entry keeps its name, but a compiled language's needs one of the language's
 * extensions (gcc cannot compile `file0.code`): without one it goes under the runtime's
 * name (main.cpp), as Piston's compile scripts add the extension.
 */
function entryPlaced(files: FileInput[], runtime: RuntimeInfo): FileInput[] {
  const [entry, ...rest] = files;
  if (!entry?.name || !runtime.compiled) return files;
  const ext = /\.[^./]+$/.exec(entry.name)?.[0].toLowerCase() ?? '';
  if (runtime.extensions.includes(ext)) return files;
  return [{ ...entry, name: runtime.sourceFile }, ...rest];
}

/** Piston ends stdin with a newline when it has none */
function pistonStdin(value: unknown): string {
  const stdin = typeof value === 'string' ? value : '';
  return stdin.endsWith('\n') ? stdin : `${stdin}\n`;
}

/** the native checks too (file names, the runtime's own rules), refused in Piston's shape */
function checkedNative(request: JobRequest, ctx: RequestContext): CheckedRequest {
  try {
    return { request, runtime: checkJobRequest(request, ctx).runtime };
  } catch (err) {
    if (err instanceof ApiError) throw new PistonError(err.message);
    throw err;
  }
}
